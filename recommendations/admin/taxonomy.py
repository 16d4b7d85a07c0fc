"""Actors, themes (and the mapping of other vocabularies' themes onto them), legal provisions, SDGs
and affected groups: the curated reference data."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch

from .. import services, theme_mapping
from ..models import (
    Actor,
    AffectedGroup,
    LegalProvision,
    SourceTheme,
    SustainableDevelopmentGoal,
    Theme,
)
from .exports import SpreadsheetExportMixin
from .theme import HistoryAdmin, ModelAdmin


class RecommendationCountMixin:
    """A "recommendations" column counting the rows tagged with each entry, sortable, in the
    model's own order by default (the annotation would otherwise drop it)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(recommendation_total=Count("recommendations"))
        return queryset.order_by(*self.model._meta.ordering)

    @admin.display(description="recommendations", ordering="recommendation_total")
    def recommendation_count(self, obj):
        return obj.recommendation_total


@admin.register(Actor)
class ActorAdmin(SpreadsheetExportMixin, ModelAdmin):
    list_display = ["name", "kind", "country", "part_of"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["part_of"]
    autocomplete_fields = ["part_of"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Theme)
class ThemeAdmin(RecommendationCountMixin, SpreadsheetExportMixin, ModelAdmin):
    list_display = ["name", "parent", "recommendation_count"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(LegalProvision)
class LegalProvisionAdmin(RecommendationCountMixin, SpreadsheetExportMixin, ModelAdmin):
    list_display = ["__str__", "instrument", "article", "country", "title", "recommendation_count"]
    list_filter = ["country"]
    search_fields = ["instrument", "article", "title", "slug"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(RecommendationCountMixin, SpreadsheetExportMixin, ModelAdmin):
    """The 17 goals ship with the tracker (migration 0005); curators may correct a name."""

    list_display = ["number", "name", "recommendation_count"]
    search_fields = ["name", "=number"]
    readonly_fields = ["created_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # there are 17, and no more

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AffectedGroup)
class AffectedGroupAdmin(RecommendationCountMixin, SpreadsheetExportMixin, ModelAdmin):
    list_display = ["name", "recommendation_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


class MappedFilter(admin.SimpleListFilter):
    """Source themes that map onto no curated theme: what an import reported as unmapped."""

    title = "mapped"
    parameter_name = "mapped"

    def lookups(self, request, model_admin):
        return [("no", "Unmapped"), ("yes", "Mapped")]

    def queryset(self, request, queryset):
        mapped = Exists(SourceTheme.themes.through.objects.filter(sourcetheme_id=OuterRef("pk")))
        if self.value() == "no":
            return queryset.filter(~mapped)
        if self.value() == "yes":
            return queryset.filter(mapped)
        return queryset


class AppliedFilter(admin.SimpleListFilter):
    """Mappings changed since they were last applied to the rows that carry them."""

    title = "applied to the rows"
    parameter_name = "applied"

    def lookups(self, request, model_admin):
        return [("no", "Changed since applied"), ("yes", "Applied")]

    def queryset(self, request, queryset):
        pending = theme_mapping.unapplied().values("pk")
        if self.value() == "no":
            return queryset.filter(pk__in=pending)
        if self.value() == "yes":
            return queryset.exclude(pk__in=pending)
        return queryset


@admin.register(SourceTheme)
class SourceThemeAdmin(RecommendationCountMixin, SpreadsheetExportMixin, HistoryAdmin):
    """The mapping table: each UPR Info issue (or UHRI theme) and the curated themes it gives.
    Imports add the names they meet; curators map them here, then apply the mapping to the rows
    already imported (the action below, or ``manage.py remap_themes``)."""

    list_display = ["name", "vocabulary", "mapped_themes", "recommendation_count"]
    list_filter = ["vocabulary", MappedFilter, AppliedFilter]
    search_fields = ["name", "themes__name"]
    autocomplete_fields = ["themes"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["apply_mapping"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(Prefetch("themes", Theme.objects.order_by("name")))

    @admin.display(description="curated themes")
    def mapped_themes(self, obj):
        return ", ".join(theme.name for theme in obj.themes.all()) or "— unmapped —"

    def save_related(self, request, form, formsets, change):
        # The mapping is written by the service (one version in history with its themes).
        theme_mapping.source_theme_change(
            source_theme=form.instance, themes=form.cleaned_data["themes"], user=request.user
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        if form.instance.recommendations.exists():
            self.message_user(
                request,
                f"“{form.instance.name}” is mapped. The recommendations already imported with it change when the "
                "mapping is applied: select it in the list and run “Apply the mapping to the imported "
                "recommendations” (or python manage.py remap_themes).",
                messages.INFO,
            )

    @admin.action(description="Apply the mapping to the imported recommendations")
    def apply_mapping(self, request, queryset):
        try:
            report = theme_mapping.themes_remap(source_themes=queryset, user=request.user)
        except PermissionDenied as error:
            self.message_user(request, f"Nothing was changed: {error}", messages.ERROR)
            return
        except services.ConcurrentEditError as error:
            self.message_user(
                request,
                f"Nothing was changed: “{error.instance}” was changed by someone else meanwhile; apply again.",
                messages.ERROR,
            )
            return
        self.message_user(request, f"{report}.", messages.SUCCESS)
