"""Recommendations and promises, with their citations, status history and links."""

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from rangefilter.filters import DateRangeFilterBuilder
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..forms import OptimisticLockForm
from ..models import (
    Citation,
    Job,
    Recommendation,
    RecommendationLink,
    StatusUpdate,
)
from .assessment import BulkAssessmentMixin
from .clusters import ClusterActionsMixin
from .common import ParentReviewInlineMixin, ReviewedAdminMixin, form_model_fields, review_action, snippet
from .documents import CitationInline
from .exports import SpreadsheetExportMixin
from .filters import ArchivedFilter, HasDeadlineFilter, OverdueFilter, StateUnderReviewFilter, UprActionCategoryFilter
from .jobs import RecommendationsChangedByJobFilter
from .review import PublishReviewMixin
from .upr_import import UprImportAdminMixin


class RecommendationCitationInline(CitationInline):
    """The recommendation's own evidence."""

    fk_name = "recommendation"
    verbose_name = "citation (evidence for the recommendation itself)"
    parent_publish_permission = services.PUBLISH_RECOMMENDATION


class StatusHistoryInline(admin.TabularInline):
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


class RecommendationLinkInline(ParentReviewInlineMixin, admin.TabularInline):
    model = RecommendationLink
    fk_name = "from_recommendation"
    fields = ["relation", "to_recommendation", "note"]
    autocomplete_fields = ["to_recommendation"]
    extra = 0
    verbose_name = "link to a related recommendation"
    parent_publish_permission = services.PUBLISH_RECOMMENDATION


class RecommendationForm(OptimisticLockForm):
    class Meta:
        model = Recommendation
        fields = "__all__"  # the admin's fieldsets choose what is shown


@admin.register(Recommendation)
class RecommendationAdmin(
    ClusterActionsMixin,
    BulkAssessmentMixin,
    SpreadsheetExportMixin,
    UprImportAdminMixin,
    PublishReviewMixin,
    ReviewedAdminMixin,
    SimpleHistoryAdmin,
):
    form = RecommendationForm
    publish_permission = services.PUBLISH_RECOMMENDATION
    publish_service = staticmethod(services.recommendation_publish)
    send_back_service = staticmethod(services.recommendation_send_back)
    review_argument = "recommendation"
    publish_job_kind = Job.Kind.PUBLISH
    list_display = [
        "title",
        "kind",
        "made_by",
        "addressed_to",
        "made",
        "due",
        "current_status",
        "current_status_as_of",
        "overdue",
        "theme_list",
        "review",
    ]
    list_filter = [
        RecommendationsChangedByJobFilter,
        "review_state",
        ArchivedFilter,
        "kind",
        "current_status",
        OverdueFilter,
        HasDeadlineFilter,
        "mechanism",
        StateUnderReviewFilter,
        "state_response",
        "upr_cycle",
        "upr_session",
        UprActionCategoryFilter,
        "themes",
        "legal_provisions",
        "cluster",
        ("made_by", admin.RelatedFieldListFilter),
        # Only actors that were addressed: the full list holds every recommending state too.
        ("addressed_to", admin.RelatedOnlyFieldListFilter),
        ("made_on", DateRangeFilterBuilder(title="made between")),
        ("due_on", DateRangeFilterBuilder(title="due between")),
        ("current_status_as_of", DateRangeFilterBuilder(title="status dated between")),
    ]
    search_fields = ["title", "text", "context", "external_id", "made_by__name"]
    list_select_related = ["made_by", "addressed_to"]
    autocomplete_fields = ["made_by", "addressed_to", "themes", "legal_provisions"]
    readonly_fields = [
        "cluster_display",
        "current_status",
        "current_status_as_of",
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
    inlines = [RecommendationCitationInline, StatusHistoryInline, RecommendationLinkInline]
    actions = ["publish", "unpublish", "archive", "restore", "assess", "make_cluster", "leave_cluster"]
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["kind", "title", "text", "made_by", "addressed_to", "expected_version"]}),
        (
            "Where and when",
            {
                "fields": [
                    "mechanism",
                    "context",
                    ("made_on", "made_on_precision", "made_on_basis"),
                    ("due_on", "due_on_precision", "due_on_basis"),
                    "date_note",
                    "state_response",
                ]
            },
        ),
        ("UPR", {"fields": ["upr_session", "upr_cycle", "upr_action_category"], "classes": ["collapse"]}),
        ("Subject", {"fields": ["themes", "legal_provisions", "cluster_display"]}),
        (
            "Status (derived from the published history below)",
            {"fields": ["current_status", "current_status_as_of", "overdue", "add_status_update"]},
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
        # The overdue column and field read today's flag from the one definition (querysets.py).
        return super().get_queryset(request).with_status_on().prefetch_related("themes")

    def has_delete_permission(self, request, obj=None):
        return False  # recommendations are archived, never deleted

    def has_archive_permission(self, request):
        return request.user.has_perm(services.ARCHIVE_RECOMMENDATION)

    @admin.display(description="made", ordering="made_on")
    def made(self, obj):
        return obj.made_on_display or "—"

    @admin.display(description="due", ordering="due_on")
    def due(self, obj):
        return obj.due_on_display or "—"

    @admin.display(description="overdue", boolean=True)
    def overdue(self, obj):
        if obj.pk is None:
            return None
        # Rows of this admin's queryset carry the flag; a revert page's historical instance asks.
        return obj.effective_overdue if hasattr(obj, "effective_overdue") else obj.is_overdue()

    @admin.display(description="themes")
    def theme_list(self, obj):
        return ", ".join(theme.name for theme in obj.themes.all())

    @admin.display(description="review", ordering="review_state")
    def review(self, obj):
        return "Archived" if obj.archived_at else obj.get_review_state_display()

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
class RecommendationLinkAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    list_display = ["from_recommendation", "relation", "to_recommendation"]
    list_filter = ["relation"]
    search_fields = ["from_recommendation__title", "to_recommendation__title", "note"]
    list_select_related = ["from_recommendation", "to_recommendation"]
    autocomplete_fields = ["from_recommendation", "to_recommendation"]
