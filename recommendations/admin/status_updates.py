"""Status updates: one form records the assessment with its first citation."""

from django.contrib import admin, messages
from rangefilter.filters import DateRangeFilterBuilder

from .. import services
from ..forms import OptimisticLockForm, StatusUpdateWithCitationForm
from ..models import Job, StatusUpdate
from .common import InternalNoteInline, InternalNotesAdminMixin, ReviewedAdminMixin, form_model_fields, review_action
from .documents import CitationInline
from .exports import SpreadsheetExportMixin
from .filters import RecordedByMeFilter
from .jobs import StatusUpdatesChangedByJobFilter
from .paginator import EstimatedCountPaginator
from .review import PublishReviewMixin
from .theme import HistoryAdmin


class StatusUpdateCitationInline(CitationInline):
    fk_name = "status_update"
    min_num = 1
    validate_min = True  # a status update never loses its last piece of evidence
    verbose_name = "citation (evidence)"
    verbose_name_plural = "citations (evidence)"
    parent_publish_permission = services.PUBLISH_STATUS_UPDATE


class StatusUpdateChangeForm(OptimisticLockForm):
    class Meta:
        model = StatusUpdate
        fields = "__all__"


@admin.register(StatusUpdate)
class StatusUpdateAdmin(
    SpreadsheetExportMixin, InternalNotesAdminMixin, PublishReviewMixin, ReviewedAdminMixin, HistoryAdmin
):
    """Adding uses one form (status + its first citation) that calls ``status_update_record``;
    changes and deletions go through the service too, so the current status stays in step.
    Publishing goes through the publish screen (``review.py``), where the reviewer confirms each quote."""

    form = StatusUpdateChangeForm
    note_parent_field = "status_update"
    publish_permission = services.PUBLISH_STATUS_UPDATE
    publish_service = staticmethod(services.status_update_publish)
    send_back_service = staticmethod(services.status_update_send_back)
    review_argument = "status_update"
    publish_job_kind = Job.Kind.PUBLISH_STATUS_UPDATES
    list_display = [
        "recommendation",
        "status",
        "as_of_date",
        "assessor_kind",
        "assessed_by",
        "review",
        "recorded_by",
        "created_at",
    ]
    list_filter = [
        StatusUpdatesChangedByJobFilter,
        "review_state",
        RecordedByMeFilter,
        "status",
        "assessor_kind",
        "recommendation__kind",
        ("as_of", DateRangeFilterBuilder(title="as of between")),
        ("assessed_by", admin.RelatedFieldListFilter),
    ]
    search_fields = ["summary", "recommendation__title", "=recommendation__external_id"]
    list_select_related = ["recommendation", "assessed_by", "recorded_by"]
    autocomplete_fields = ["recommendation", "assessed_by"]
    readonly_fields = [
        "review_state",
        "review_link",
        "sent_back",
        "published_at",
        "published_by",
        "self_reviewed",
        "version",
        "recorded_by",
        "created_at",
        "updated_at",
    ]
    actions = ["publish", "unpublish", "delete_selected"]
    # The add form shows the chosen document's text beside the quote (moved there by admin.js).
    change_form_after_template = "admin/recommendations/statusupdate/document_panel.html"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Newest assessments first, on their index (status_as_of_idx); the model's order (by
    # recommendation) sorted all 50,000 rows for each page.
    ordering = ["-as_of", "-created_at", "-id"]
    # No date_hierarchy: its year links cost a DISTINCT over every status update (0.5 s at 50,000);
    # the "as of between" filter selects the same rows.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "recommendation",
                    "status",
                    ("as_of", "as_of_precision", "as_of_basis"),
                    "date_note",
                    "summary",
                    "assessor_kind",
                    "assessed_by",
                    "expected_version",
                ]
            },
        ),
        (
            "Review",
            {"fields": ["review_state", "review_link", "published_at", "published_by", "self_reviewed", "version"]},
        ),
        ("Record", {"fields": ["recorded_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description="as of", ordering="as_of")
    def as_of_date(self, obj):
        return obj.as_of_display

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StatusUpdateWithCitationForm
            kwargs["fields"] = [*StatusUpdateWithCitationForm.Meta.fields, "document", "quote", "location"]
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            site = self.admin_site

            class WithAutocomplete(form):
                def __init__(self, *args, **inner):
                    super().__init__(*args, admin_site=site, **inner)

            return WithAutocomplete
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "recommendation",
                            "status",
                            ("as_of", "as_of_precision", "as_of_basis"),
                            "date_note",
                            "summary",
                            "assessor_kind",
                            "assessed_by",
                        ]
                    },
                ),
                (
                    "Evidence",
                    {
                        "fields": ["document", "quote", "location"],
                        "description": "The quote must occur in the document's text.",
                    },
                ),
            ]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return [StatusUpdateCitationInline, InternalNoteInline] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            current = StatusUpdate.objects.select_related("recommendation").get(pk=obj.pk)
            services.status_update_change(
                status_update=current,
                expected_version=form.cleaned_data["expected_version"],
                user=request.user,
                **form_model_fields(form),
            )
            obj.version = current.version
            return
        created = services.status_update_record(
            **form_model_fields(form), citations=[form.citation_input()], recorded_by=request.user
        )
        # The admin goes on to log the addition and redirect using the form's instance.
        obj.pk, obj.recorded_by = created.pk, created.recorded_by
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
        # On add, the service has already saved the citation; there are no inlines to save.

    def delete_model(self, request, obj):
        services.status_update_delete(status_update=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for status_update in queryset.select_related("recommendation"):
            services.status_update_delete(status_update=status_update, user=request.user)
        messages.info(request, "Current statuses were recalculated from the remaining published history.")

    @admin.action(description="Publish selected status updates (confirm their evidence)", permissions=["publish"])
    def publish(self, request, queryset):
        return super().publish(request, queryset)

    @admin.action(description="Withdraw selected status updates to draft", permissions=["publish"])
    def unpublish(self, request, queryset):
        review_action(self, request, queryset, services.status_update_unpublish, "withdrawn to draft")
