"""Actors, themes, legal provisions, SDGs and affected groups: the curated reference data."""

from django.contrib import admin
from django.db.models import Count

from ..models import (
    Actor,
    AffectedGroup,
    LegalProvision,
    SustainableDevelopmentGoal,
    Theme,
)
from .exports import SpreadsheetExportMixin
from .theme import ModelAdmin


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
