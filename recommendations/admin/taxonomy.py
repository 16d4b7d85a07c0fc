"""Actors, themes and legal provisions: the curated reference data."""

from django.contrib import admin
from django.db.models import Count

from ..models import (
    Actor,
    LegalProvision,
    Theme,
)
from .exports import SpreadsheetExportMixin


@admin.register(Actor)
class ActorAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country", "part_of"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["part_of"]
    autocomplete_fields = ["part_of"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Theme)
class ThemeAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    list_display = ["name", "parent", "recommendation_count"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(recommendation_total=Count("recommendations"))
        return queryset.order_by(*Theme._meta.ordering)

    @admin.display(description="recommendations", ordering="recommendation_total")
    def recommendation_count(self, obj):
        return obj.recommendation_total


@admin.register(LegalProvision)
class LegalProvisionAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    list_display = ["__str__", "instrument", "article", "country", "title", "recommendation_count"]
    list_filter = ["country"]
    search_fields = ["instrument", "article", "title", "slug"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(recommendation_total=Count("recommendations"))
        return queryset.order_by(*LegalProvision._meta.ordering)

    @admin.display(description="recommendations", ordering="recommendation_total")
    def recommendation_count(self, obj):
        return obj.recommendation_total
