"""Source documents and the citations that quote them."""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from rangefilter.filters import DateRangeFilterBuilder
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..models import (
    Citation,
    DateBasis,
    SourceDocument,
)
from .common import ParentReviewInlineMixin, ParentReviewMixin, change_link, snippet


class CitationInline(ParentReviewInlineMixin, admin.TabularInline):
    """Evidence under a recommendation or a status update; each quote is checked against its
    document on save. Subclasses say which parent (``fk_name``) and its publish permission."""

    model = Citation
    fields = ["document", "quote", "location"]
    autocomplete_fields = ["document"]
    extra = 0


@admin.register(SourceDocument)
class SourceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["external_id", "title", "publisher", "document_type", "published", "citation_count"]
    list_filter = [
        "document_type",
        "language",
        "published_on_basis",
        ("published_on", DateRangeFilterBuilder(title="published between")),
    ]
    search_fields = ["external_id", "title", "publisher", "url"]
    readonly_fields = ["text_sha256", "cited_by", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["external_id", "title", "publisher", "document_type", "url", "language"]}),
        ("Date", {"fields": ["published_on", "published_on_precision", "published_on_basis", "date_note"]}),
        ("Text", {"fields": ["text", "text_sha256"]}),
        ("Cited by", {"fields": ["cited_by"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # A grouped query drops the model's default ordering: restate it so pages stay stable.
        queryset = super().get_queryset(request).annotate(citation_total=Count("citations"))
        return queryset.order_by(*SourceDocument._meta.ordering)

    @admin.display(description="published", ordering="published_on")
    def published(self, obj):
        basis = " (inferred)" if obj.published_on_basis == DateBasis.INFERRED else ""
        return f"{obj.published_on_display}{basis}" if obj.published_on else "—"

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total

    CITED_BY_LIMIT = 200

    @admin.display(description="everything that cites this document")
    def cited_by(self, obj):
        if obj.pk is None:
            return "—"
        citations = list(
            obj.citations.select_related("recommendation", "status_update__recommendation").order_by("id")[
                : self.CITED_BY_LIMIT + 1
            ]
        )
        if not citations:
            return "Nothing cites this document yet."
        rows = []
        for citation in citations[: self.CITED_BY_LIMIT]:
            if citation.recommendation_id:
                target = change_link(citation.recommendation)
                what = citation.recommendation.get_kind_display().split(" (")[0]
            else:
                update = citation.status_update
                target = format_html(
                    "{} — {}", change_link(update, f"status {update}"), change_link(update.recommendation)
                )
                what = "Status update"
            rows.append((what, target, snippet(citation.quote), citation.location or ""))
        table = format_html(
            "<table><thead><tr><th>cited by</th><th>item</th><th>quote</th><th>where</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>“{}”</td><td>{}</td></tr>", rows),
        )
        if len(citations) > self.CITED_BY_LIMIT:
            url = reverse("admin:recommendations_citation_changelist") + f"?document__id__exact={obj.pk}"
            table = format_html('{}<p><a href="{}">All citations of this document…</a></p>', table, url)
        return table


@admin.register(Citation)
class CitationAdmin(ParentReviewMixin, SimpleHistoryAdmin):
    list_display = ["quote_snippet", "document", "location", "cites"]
    list_filter = ["document__document_type", ("document", admin.RelatedFieldListFilter)]
    search_fields = ["quote", "document__external_id", "document__title", "recommendation__title"]
    list_select_related = ["document", "recommendation", "status_update__recommendation"]
    autocomplete_fields = ["document", "recommendation", "status_update"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False

    def reviewed_parent(self, obj):
        if obj is None:
            return None, ""
        if obj.status_update_id:
            return obj.status_update, services.PUBLISH_STATUS_UPDATE
        return obj.recommendation, services.PUBLISH_RECOMMENDATION

    @admin.display(description="quote")
    def quote_snippet(self, obj):
        return f"“{snippet(obj.quote)}”"

    @admin.display(description="evidence for")
    def cites(self, obj):
        if obj.recommendation_id:
            return change_link(obj.recommendation)
        return format_html("status update on {}", change_link(obj.status_update.recommendation))
