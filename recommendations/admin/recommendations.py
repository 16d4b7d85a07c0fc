"""Recommendations and promises, with their citations, status history and links."""

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR, ChangeList
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from rangefilter.filters import DateRangeFilterBuilder
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    AutocompleteSelectMultipleFilter,
    ChoicesDropdownFilter,
)
from unfold.decorators import display

from .. import services
from ..forms import OptimisticLockForm
from ..keyset import made_on_key
from ..models import (
    Citation,
    Job,
    Recommendation,
    RecommendationLink,
    StatusUpdate,
)
from ..search import RANK, SNIPPET, search_recommendations, snippet_html
from . import badges
from .assessment import BulkAssessmentMixin
from .clusters import ClusterActionsMixin
from .common import (
    FixedTargetInlineForm,
    InternalNoteInline,
    InternalNotesAdminMixin,
    ParentReviewInlineMixin,
    ReviewedAdminMixin,
    form_model_fields,
    review_action,
    snippet,
)
from .documents import CitationInline
from .exports import SpreadsheetExportMixin
from .filters import (
    ArchivedFilter,
    HasDeadlineFilter,
    MineFilter,
    OverdueFilter,
    StateUnderReviewFilter,
    UprActionCategoryFilter,
    UprCalendarFilter,
)
from .jobs import RecommendationsChangedByJobFilter
from .paginator import EstimatedCountPaginator
from .review import PublishReviewMixin
from .theme import HistoryAdmin, ModelAdmin, TabularInline
from .upr_import import UprImportAdminMixin


class RecommendationCitationInline(CitationInline):
    """The recommendation's own evidence."""

    fk_name = "recommendation"
    verbose_name = "citation (evidence for the recommendation itself)"
    verbose_name_plural = "citations (evidence for the recommendation itself)"
    parent_publish_permission = services.PUBLISH_RECOMMENDATION


class StatusHistoryInline(TabularInline):
    """The dated status history, newest first. Read-only here: recording goes through the
    status update form so that each one comes with its evidence."""

    model = StatusUpdate
    fk_name = "recommendation"
    fields = ["as_of_display", "status", "review_state", "assessor_kind", "assessed_by", "summary_snippet", "evidence"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "status history (newest first; drafts do not count until published)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("assessed_by")
            .prefetch_related(Prefetch("citations", queryset=Citation.objects.select_related("document")))
            .latest_first()
        )

    @admin.display(description="as of")
    def as_of_display(self, obj):
        return obj.as_of_display

    @admin.display(description="summary")
    def summary_snippet(self, obj):
        return snippet(obj.summary, 160)

    @admin.display(description="evidence")
    def evidence(self, obj):
        return format_html_join(
            "",
            "<div>“{}” — <i>{}</i></div>",
            ((snippet(c.quote, 120), c.document.external_id) for c in obj.citations.all()),
        )


class RecommendationLinkForm(FixedTargetInlineForm):
    fixed_fields = ("to_recommendation",)


class RecommendationLinkInline(ParentReviewInlineMixin, TabularInline):
    model = RecommendationLink
    form = RecommendationLinkForm
    fk_name = "from_recommendation"
    fields = ["relation", "to_recommendation", "note"]
    autocomplete_fields = ["to_recommendation"]
    extra = 0
    verbose_name = "link to a related recommendation"
    verbose_name_plural = "links to related recommendations"
    parent_publish_permission = services.PUBLISH_RECOMMENDATION

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_recommendation", "to_recommendation")


class RecommendationForm(OptimisticLockForm):
    class Meta:
        model = Recommendation
        fields = "__all__"  # the admin's fieldsets choose what is shown


class RankedChangeList(ChangeList):
    """A search with no column chosen to sort by lists the best matches first (as the API's ``q``)."""

    def get_ordering(self, request, queryset):
        if self.query.strip() and ORDER_VAR not in self.params and RANK in queryset.query.annotations:
            return [f"-{RANK}", "-pk"]
        return super().get_ordering(request, queryset)


@admin.register(Recommendation)
class RecommendationAdmin(
    ClusterActionsMixin,
    BulkAssessmentMixin,
    SpreadsheetExportMixin,
    InternalNotesAdminMixin,
    UprImportAdminMixin,
    PublishReviewMixin,
    ReviewedAdminMixin,
    HistoryAdmin,
):
    note_parent_field = "recommendation"
    form = RecommendationForm
    publish_permission = services.PUBLISH_RECOMMENDATION
    publish_service = staticmethod(services.recommendation_publish)
    send_back_service = staticmethod(services.recommendation_send_back)
    review_argument = "recommendation"
    publish_job_kind = Job.Kind.PUBLISH
    # Few, meaningful columns (kind and "made" ride under the title); on a phone unfold shows each
    # row as a card, title, status and overdue first.
    list_display = ["title_cell", "status_badge", "overdue_badge", "due", "addressed_to", "review"]
    list_display_links = ["title_cell"]
    list_filter_submit = True  # the autocomplete filters apply together, with one button
    list_filter = [
        RecommendationsChangedByJobFilter,
        ("review_state", ChoicesDropdownFilter),
        MineFilter,
        ArchivedFilter,
        ("kind", ChoicesDropdownFilter),
        ("current_status", ChoicesDropdownFilter),
        OverdueFilter,
        HasDeadlineFilter,
        ("mechanism", ChoicesDropdownFilter),
        StateUnderReviewFilter,
        ("state_response", ChoicesDropdownFilter),
        ("upr_cycle", UprCalendarFilter),
        ("upr_session", UprCalendarFilter),
        UprActionCategoryFilter,
        # ~190 states each: searched, not listed.
        ("themes", AutocompleteSelectMultipleFilter),
        # The issues an imported file named (UPR Info's), whatever curated themes they map to.
        ("source_themes", AutocompleteSelectMultipleFilter),
        ("legal_provisions", AutocompleteSelectMultipleFilter),
        ("made_by", AutocompleteSelectFilter),
        ("addressed_to", AutocompleteSelectFilter),
        # Clusters grow with the data: searched too (ClusterAdmin.search_fields).
        ("cluster", AutocompleteSelectFilter),
        # Short fixed lists: 17 goals, UHRI's groups of persons.
        "sdgs",
        "affected_groups",
        ("made_on", DateRangeFilterBuilder(title="made between")),
        ("due_on", DateRangeFilterBuilder(title="due between")),
        ("current_status_as_of", DateRangeFilterBuilder(title="status dated between")),
    ]
    # The search box and the autocompletes that pick a recommendation use the API's search
    # (recommendations/search.py: words, actors, provisions, themes; an exact external id).
    search_fields = ["title"]
    search_help_text = "Words of the title or text, an actor, a provision (e.g. 174), a theme, or an exact external id."
    list_select_related = ["made_by", "addressed_to"]
    autocomplete_fields = [
        "made_by",
        "also_made_by",
        "addressed_to",
        "themes",
        "legal_provisions",
        "sdgs",
        "affected_groups",
    ]
    readonly_fields = [
        "cluster_display",
        "source_issues",
        "status_now",
        "overdue",
        "add_status_update",
        "review_state",
        "review_link",
        "sent_back",
        "published_at",
        "published_by",
        "self_reviewed",
        "created_by",
        "archived_at",
        "archived_by",
        "version",
        "created_at",
        "updated_at",
    ]
    # The status history first: it is what a curator comes to a recommendation for.
    inlines = [StatusHistoryInline, RecommendationCitationInline, RecommendationLinkInline, InternalNoteInline]
    actions = ["publish", "unpublish", "archive", "restore", "assess", "make_cluster", "leave_cluster"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    # The API's order, on its index (rec_made_on_keyset_idx): newest first, no date last.
    ordering = [made_on_key().desc(), "-id"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "text", "made_by", "also_made_by", "addressed_to", "expected_version"]}),
        (
            "Where and when",
            {
                "fields": [
                    "mechanism",
                    "context",
                    "language",
                    ("made_on", "made_on_precision", "made_on_basis"),
                    ("due_on", "due_on_precision", "due_on_basis"),
                    "date_note",
                    "state_response",
                ]
            },
        ),
        ("UPR", {"fields": ["upr_session", "upr_cycle", "upr_action_category"], "classes": ["collapse"]}),
        (
            "Subject",
            {"fields": ["themes", "source_issues", "legal_provisions", "sdgs", "affected_groups", "cluster_display"]},
        ),
        (
            "Status (derived from the published history below)",
            {"fields": ["status_now", "overdue", "add_status_update"]},
        ),
        (
            "Review",
            {
                "fields": [
                    "review_state",
                    "review_link",
                    "published_at",
                    "published_by",
                    "self_reviewed",
                    "archived_at",
                    "archived_by",
                    "version",
                ]
            },
        ),
        ("Record", {"fields": ["external_id", "created_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # The overdue column and field read today's flag from the one definition (querysets.py);
        # the status date is shown as precisely as the assessment that set it knows it.
        return super().get_queryset(request).with_status_on().annotate(status_precision=badges.status_precision())

    def get_inlines(self, request, obj):
        # Notes are added to a saved recommendation (on its change page).
        inlines = super().get_inlines(request, obj)
        return inlines if obj is not None else [inline for inline in inlines if inline is not InternalNoteInline]

    def get_search_results(self, request, queryset, search_term):
        return search_recommendations(queryset, search_term), False

    def get_changelist(self, request, **kwargs):
        return RankedChangeList

    def get_list_display(self, request):
        # A search shows where each row matched.
        list_display = super().get_list_display(request)
        return [*list_display, "snippet_cell"] if request.GET.get(SEARCH_VAR, "").strip() else list_display

    @admin.display(description="found in")
    def snippet_cell(self, obj):
        # snippet_html escapes the text: the only markup is its own <mark>s.
        return mark_safe(snippet_html(getattr(obj, SNIPPET, None)) or "")

    def has_delete_permission(self, request, obj=None):
        return False  # recommendations are archived, never deleted

    def has_archive_permission(self, request):
        return request.user.has_perm(services.ARCHIVE_RECOMMENDATION)

    @display(description="recommendation", ordering="title", header=True)
    def title_cell(self, obj):
        kind = "Promise" if obj.kind == Recommendation.Kind.PROMISE else "Recommendation"
        made = f", {obj.made_on_display}" if obj.made_on else ""
        return obj.title, f"{kind} by {obj.made_by}{made}" if obj.made_by_id else f"{kind}{made}"

    @display(description="status", ordering="current_status", label=badges.STATUS_LABELS)
    def status_badge(self, obj):
        return badges.status(obj.current_status, obj.current_status_as_of, getattr(obj, "status_precision", None))

    @display(description="overdue", label=badges.OVERDUE_LABELS)
    def overdue_badge(self, obj):
        return badges.overdue(obj)

    @admin.display(description="issues in the imported file")
    def source_issues(self, obj):
        """The themes as the imported file named them; the curated themes above are what they map to."""
        if obj.pk is None:
            return "—"
        names = [str(source) for source in obj.source_themes.order_by("vocabulary", "name")]
        return "; ".join(names) or "—"

    @admin.display(description="due", ordering="due_on")
    def due(self, obj):
        return obj.due_on_display or "—"

    @display(description="review", ordering="review_state", label=badges.REVIEW_LABELS)
    def review(self, obj):
        return badges.review(obj)

    # The change page's read-only fields, by precision and as badges.
    @display(description="current status", label=badges.STATUS_LABELS)
    def status_now(self, obj):
        if obj.pk is None:
            return None
        precision = getattr(obj, "status_precision", None)
        return badges.status(obj.current_status, obj.current_status_as_of, precision)

    @display(description="overdue", label=badges.OVERDUE_LABELS)
    def overdue(self, obj):
        return badges.overdue(obj)

    @admin.display(description="new assessment")
    def add_status_update(self, obj):
        if obj.pk is None:
            return "Save the recommendation first."
        url = reverse("admin:recommendations_statusupdate_add") + f"?recommendation={obj.pk}"
        return format_html('<a class="addlink" href="{}">Record a status update with its evidence</a>', url)

    def save_model(self, request, obj, form, change):
        fields = form_model_fields(form)
        if not change:
            created = services.recommendation_create(user=request.user, **fields)
            # The admin saves the many-to-many fields and inlines against the form's instance next.
            obj.pk, obj.version, obj._state.adding = created.pk, created.version, False
            return
        # Change the row as it is in the database: a revert form's instance carries historical
        # values of fields the form does not show (review state, archive, version).
        current = Recommendation.objects.get(pk=obj.pk)
        services.recommendation_change(
            recommendation=current,
            expected_version=form.cleaned_data["expected_version"],
            user=request.user,
            **fields,
        )
        obj.version = current.version

    @admin.action(description="Publish selected recommendations (confirm their evidence)", permissions=["publish"])
    def publish(self, request, queryset):
        return super().publish(request, queryset)

    @admin.action(description="Withdraw selected recommendations to draft", permissions=["publish"])
    def unpublish(self, request, queryset):
        review_action(
            self, request, queryset, services.recommendation_unpublish, "withdrawn to draft", Job.Kind.UNPUBLISH
        )

    @admin.action(description="Archive selected recommendations", permissions=["archive"])
    def archive(self, request, queryset):
        review_action(self, request, queryset, services.recommendation_archive, "archived", Job.Kind.ARCHIVE)

    @admin.action(description="Restore selected recommendations from the archive", permissions=["archive"])
    def restore(self, request, queryset):
        review_action(self, request, queryset, services.recommendation_restore, "restored", Job.Kind.RESTORE)


@admin.register(RecommendationLink)
class RecommendationLinkAdmin(SpreadsheetExportMixin, ModelAdmin):
    list_display = ["from_recommendation", "relation", "to_recommendation"]
    list_filter = ["relation"]
    search_fields = ["from_recommendation__title", "to_recommendation__title", "note"]
    list_select_related = ["from_recommendation", "to_recommendation"]
    autocomplete_fields = ["from_recommendation", "to_recommendation"]
