"""Source documents and the citations that quote them. A cited document's text is never changed
in place: "Correct the text (new version)" stores a corrected version, and the citations action
moves citations to it where their quote occurs."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from rangefilter.filters import DateRangeFilterBuilder
from unfold.decorators import display

from .. import permissions, services
from ..models import (
    Citation,
    DateBasis,
    SourceDocument,
)
from . import reader
from .common import (
    CitationConfirmationInlineMixin,
    FixedTargetInlineForm,
    ParentReviewInlineMixin,
    ParentReviewMixin,
    change_link,
    citation_confirmation,
    form_model_fields,
    snippet,
)
from .exports import SpreadsheetExportMixin
from .paginator import EstimatedCountPaginator
from .theme import HistoryAdmin, TabularInline


class DocumentCorrectionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 20, "cols": 100}), strip=False)
    correction_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 100}), help_text="What this version corrects, and why."
    )
    external_id = forms.CharField(
        required=False,
        max_length=200,
        help_text="Leave empty for the old one with a version suffix (e.g. report.txt@v2).",
    )


class CitationInlineForm(FixedTargetInlineForm):
    fixed_fields = ("document",)


class CitationInline(CitationConfirmationInlineMixin, ParentReviewInlineMixin, TabularInline):
    """Evidence under a recommendation or a status update; each quote is checked against its
    document on save. Subclasses say which parent (``fk_name``) and its publish permission. A saved
    citation's document is shown as text (a citation of another document is another citation)."""

    model = Citation
    form = CitationInlineForm
    fields = ["document", "quote", "location"]
    autocomplete_fields = ["document"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document", "confirmed_by")


@admin.register(SourceDocument)
class SourceDocumentAdmin(SpreadsheetExportMixin, HistoryAdmin):
    list_display = ["title_cell", "publisher", "document_type", "published", "citation_count", "read_column"]
    list_filter = [
        "document_type",
        "language",
        "published_on_basis",
        ("published_on", DateRangeFilterBuilder(title="published between")),
    ]
    search_fields = ["external_id", "title", "publisher", "url"]
    readonly_fields = ["read_link", "text_sha256", "versions", "cited_by", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fieldsets = [
        (None, {"fields": ["read_link", "external_id", "title", "publisher", "document_type", "url", "language"]}),
        ("Date", {"fields": ["published_on", "published_on_precision", "published_on_basis", "date_note"]}),
        ("Text", {"fields": ["text", "text_sha256"]}),
        ("Versions", {"fields": ["versions", "correction_note"]}),
        ("Cited by", {"fields": ["cited_by"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="recommendations_sourcedocument_correct",
            ),
            path(
                "<int:object_id>/read/",
                self.admin_site.admin_view(self.read_view),
                name="recommendations_sourcedocument_read",
            ),
            path(
                "<int:object_id>/text/",
                self.admin_site.admin_view(self.text_view),
                name="recommendations_sourcedocument_text",
            ),
        ]
        return urls + super().get_urls()

    def _viewable(self, request, object_id):
        document = SourceDocument.objects.filter(pk=object_id).first()
        if document is None:
            raise Http404("No such document.")
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        return document

    def read_view(self, request, object_id):
        """The reader: numbered paragraphs, cited passages highlighted, "Cite this passage"."""
        document = self._viewable(request, object_id)
        citations = reader.document_citations(document)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": document.title or document.external_id,
            "document": document,
            "paragraphs": reader.paragraphs(document, citations),
            "citation_count": len(citations),
            "cite_url": reader.cite_url(document),
            "can_cite": request.user.has_perm(permissions.ADD_STATUS_UPDATE),
            "autocomplete_url": reverse("admin:autocomplete"),
        }
        return TemplateResponse(request, "admin/recommendations/sourcedocument/read.html", context)

    def text_view(self, request, object_id):
        """The text as numbered paragraphs (JSON), for the status update form's document panel."""
        document = self._viewable(request, object_id)
        text = document.text
        return JsonResponse(
            {
                "id": document.pk,
                "external_id": document.external_id,
                "title": document.title,
                "read_url": reverse("admin:recommendations_sourcedocument_read", args=[document.pk]),
                "paragraphs": [
                    {"number": number, "start": start, "text": text[start:end]}
                    for number, (start, end) in enumerate(reader.paragraph_spans(text), 1)
                ],
            }
        )

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.source_document_create(user=request.user, **form_model_fields(form))
            obj.pk, obj._state.adding = created.pk, False
            return
        services.source_document_change(document=obj, user=request.user)

    @admin.display(description="read")
    def read_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:recommendations_sourcedocument_read", args=[obj.pk])
        return format_html(
            '<a class="tracker-button" href="{}">Read the document and cite a passage</a> '
            "Numbered paragraphs; cited passages are highlighted and link to what cites them.",
            url,
        )

    @admin.display(description="read")
    def read_column(self, obj):
        url = reverse("admin:recommendations_sourcedocument_read", args=[obj.pk])
        return format_html('<a href="{}">Read</a>', url)

    @admin.display(description="versions")
    def versions(self, obj):
        if obj.pk is None:
            return "—"
        chain = obj.versions()
        parts = [
            format_html("<li>{}{}</li>", change_link(v, v.external_id), " (this one)" if v.pk == obj.pk else "")
            for v in chain
        ]
        listing = format_html("<ol>{}</ol>", format_html_join("", "{}", ((part,) for part in parts)))
        if chain[-1].pk != obj.pk:
            newest = chain[-1]
            return format_html(
                "{}<p>This text was corrected: the newest version is {}. Cite that one; citations of this version can "
                "be moved to it (Citations → “Move to the newest version of their document”).</p>",
                listing,
                change_link(newest, newest.external_id),
            )
        url = reverse("admin:recommendations_sourcedocument_correct", args=[obj.pk])
        return format_html(
            '{}<p><a class="button" href="{}">Correct the text (new version)…</a> Stores the corrected text as a new '
            "version linked to this one; existing citations keep quoting this version.</p>",
            listing if len(chain) > 1 else "",
            url,
        )

    def correct_view(self, request, object_id):
        document = SourceDocument.objects.filter(pk=object_id).first()
        if document is None:
            return HttpResponseRedirect(reverse("admin:recommendations_sourcedocument_changelist"))
        if not (self.has_add_permission(request) and self.has_change_permission(request, document)):
            raise PermissionDenied
        form = DocumentCorrectionForm(request.POST or None, initial={"text": document.text})
        if request.method == "POST" and form.is_valid():
            try:
                corrected = services.source_document_correct(document=document, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    f"Stored the corrected text as “{corrected.external_id}”, "
                    f"a new version of “{document.external_id}”.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:recommendations_sourcedocument_change", args=[corrected.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Correct the text of “{document.external_id}” (new version)",
            "document": document,
            "form": form,
        }
        return TemplateResponse(request, "admin/recommendations/sourcedocument/correct.html", context)

    def get_queryset(self, request):
        # Counted by a subquery, not a join and GROUP BY: grouped, every list query (and the
        # language filter's DISTINCT) carried each document's whole text through the grouping.
        cited = Citation.objects.filter(document=OuterRef("pk")).order_by().values("document")
        total = Subquery(cited.annotate(total=Count("id")).values("total"))
        return super().get_queryset(request).annotate(citation_total=Coalesce(total, 0))

    def get_changelist(self, request, **kwargs):
        class WithoutTexts(super().get_changelist(request, **kwargs)):
            """The list shows no text: 50 documents' full texts are not read to draw it."""

            def get_queryset(self, request, exclude_parameters=None):
                return super().get_queryset(request, exclude_parameters).defer("text")

        return WithoutTexts

    @display(description="document", ordering="title", header=True)
    def title_cell(self, obj):
        return obj.title or obj.external_id, obj.external_id

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
class CitationAdmin(SpreadsheetExportMixin, ParentReviewMixin, HistoryAdmin):
    list_display = ["quote_snippet", "document", "location", "cites", "confirmation"]
    list_filter = ["document__document_type", ("document", admin.RelatedFieldListFilter)]
    search_fields = ["quote", "document__external_id", "document__title", "recommendation__title"]
    list_select_related = ["document", "recommendation", "status_update__recommendation", "confirmed_by"]
    autocomplete_fields = ["document", "recommendation", "status_update"]
    readonly_fields = ["quote_start", "quote_end", "confirmation", "created_at", "updated_at"]
    actions = ["move_to_newest_version"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    @admin.display(description="confirmed")
    def confirmation(self, obj):
        return citation_confirmation(obj)

    @admin.action(description="Move to the newest version of their document (where the quote occurs)")
    def move_to_newest_version(self, request, queryset):
        moved = unchanged = 0
        for citation in queryset.select_related("document", "status_update", "recommendation"):
            newest = citation.document.versions()[-1]
            if newest.pk == citation.document_id:
                unchanged += 1
                continue
            try:
                services.citation_move(citation=citation, document=newest, user=request.user)
                moved += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"Citation {citation.pk} was not moved: {text}", messages.ERROR)
        self.message_user(
            request,
            f"{moved} moved to the newest version; {unchanged} already "
            f"{'quotes' if unchanged == 1 else 'quote'} the newest version.",
        )

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
