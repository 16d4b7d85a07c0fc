"""Background jobs in the admin: the *Jobs* list (state, progress, who, outcome, a link to what a
finished job changed, its file) and the helper the list actions use to queue a job instead of
working inside the request when a selection is large."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Func, IntegerField
from django.db.models.expressions import RawSQL
from django.http import FileResponse, Http404, HttpResponseGone, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..jobs import export, runner
from ..jobs.models import Job
from ..jobs.review import review_job_queue
from .theme import ModelAdmin

# Where the rows a finished job changed are listed: the admin list filtered by ``?job=<id>``.
CHANGED_ROWS_LIST = {
    Job.Kind.PUBLISH: "recommendation",
    Job.Kind.UNPUBLISH: "recommendation",
    Job.Kind.ARCHIVE: "recommendation",
    Job.Kind.RESTORE: "recommendation",
    Job.Kind.IMPORT_UPR: "recommendation",
    Job.Kind.PUBLISH_STATUS_UPDATES: "statusupdate",
    Job.Kind.ASSESS: "statusupdate",
}


ERRORS_SHOWN = 500  # a job refusing every one of 16,000 rows would make a page of megabytes


class JSONArrayLength(Func):
    """The number of items of a JSON array column, counted by the database."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="json_array_length", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="jsonb_array_length", **extra)


def job_link(job):
    return format_html('<a href="{}">{}</a>', reverse("admin:recommendations_job_change", args=[job.pk]), job)


def removed_file_note(job):
    """What a job's page says where its file was (``manage.py cleanup_jobs`` removed it)."""
    days = job.file_removed_after.days
    after = f"{days} day{'s' if days != 1 else ''}" if days else "less than a day"
    return (
        f"The file was removed on {timezone.localtime(job.file_removed_at):%d %B %Y} after {after} "
        "(jobs' files are kept for a while, then cleaned up)."
    )


def message_queued(model_admin, request, job):
    model_admin.message_user(
        request,
        format_html(
            "{} rows are more than can be done at once: {} is queued and runs in the background. "
            "Its page shows the progress.",
            job.total,
            job_link(job),
        ),
        messages.SUCCESS,
    )


def queue_review_job(model_admin, request, queryset, kind):
    """Queue a bulk review job on the selection; says so (or why not) to the user."""
    ids = list(queryset.values_list("pk", flat=True))
    try:
        job = review_job_queue(kind=kind, ids=ids, user=request.user)
    except PermissionDenied as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return None
    message_queued(model_admin, request, job)
    return job


def is_large(queryset):
    return queryset.count() > settings.JOBS_INLINE_LIMIT


def changed_ids_of(job_id: int) -> RawSQL:
    """The ids a job changed, read by the database from the job's ``changed_ids`` array: a
    subquery rather than 16,000 (or an import's 100,000) literal ids in the list's two queries
    (Python building and the database parsing them cost seconds at that size; SQLite also limits
    the number of parameters of a statement)."""
    table = connection.ops.quote_name(Job._meta.db_table)
    if connection.vendor == "postgresql":
        sql = f"SELECT (jsonb_array_elements_text(changed_ids))::bigint FROM {table} WHERE id = %s"
    else:
        sql = f"SELECT json_each.value FROM {table}, json_each({table}.changed_ids) WHERE {table}.id = %s"
    return RawSQL(sql, [job_id])


class ChangedByJobFilter(admin.SimpleListFilter):
    """``?job=<id>``: the rows a background job changed (the link on a finished job's page)."""

    title = "changed by a job"
    parameter_name = "job"
    kinds = ()

    def lookups(self, request, model_admin):
        jobs = Job.objects.filter(kind__in=self.kinds, state=Job.State.SUCCEEDED).exclude(changed=0).only("kind")[:10]
        return [(str(job.pk), f"Job {job.pk}: {job.get_kind_display()}") for job in jobs]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(pk__in=changed_ids_of(int(value)))


class RecommendationsChangedByJobFilter(ChangedByJobFilter):
    kinds = [kind for kind, model in CHANGED_ROWS_LIST.items() if model == "recommendation"]


class StatusUpdatesChangedByJobFilter(ChangedByJobFilter):
    kinds = [kind for kind, model in CHANGED_ROWS_LIST.items() if model == "statusupdate"]


@admin.register(Job)
class JobAdmin(ModelAdmin):
    """Read-only: jobs are started from the lists' actions; a failed or dead one can be run again."""

    list_display = [
        "id",
        "kind",
        "description",
        "state_display",
        "progress",
        "elapsed_display",
        "error_count_display",
        "started_by",
        "created_at",
        "outcome",
    ]
    list_filter = ["state", "kind", ("started_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["started_by"]
    search_fields = ["description", "outcome"]
    fields = [
        "kind",
        "description",
        "state_display",
        "progress",
        "elapsed_display",
        "started_by",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
        "outcome",
        "changed_rows",
        "download",
        "error_list",
        "task_id",
    ]
    readonly_fields = fields
    actions = ["run_again", "publish_assessment"]
    show_full_result_count = False

    def get_queryset(self, request):
        # The ids a job works on and changed (16,000 of each for a large publish) are for the
        # worker and the ``?job=`` link, never shown here: not read. Errors are counted by the
        # database for the list.
        return (
            super()
            .get_queryset(request)
            .defer("params", "changed_ids")
            .annotate(errors_counted=JSONArrayLength("errors"))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        download = path(
            "<int:object_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="recommendations_job_download",
        )
        return [download, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = Job.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra_context = {**(extra_context or {}), "refresh": job is not None and not job.is_finished}
        if request.method == "POST" and job is not None and "_run_again" in request.POST:
            self._run_again(request, [job])
            return HttpResponseRedirect(request.path)
        extra_context["may_run_again"] = job is not None and (job.state == Job.State.FAILED or job.is_stale())
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="state", ordering="state")
    def state_display(self, obj):
        if obj.is_stale():
            return "Running, but no progress for a while: its worker may have stopped (run it again)"
        if obj.state == Job.State.QUEUED:
            return "Queued (waiting for a worker: python manage.py db_worker)"
        return obj.get_state_display()

    @admin.display(description="progress")
    def progress(self, obj):
        if not obj.total:
            return "—"
        return f"{obj.done:,} / {obj.total:,} ({100 * obj.done // obj.total}%)"

    @admin.display(description="elapsed")
    def elapsed_display(self, obj):
        elapsed = obj.elapsed
        if elapsed is None:
            return "—"
        seconds = int(elapsed.total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"

    @admin.display(description="errors")
    def error_count_display(self, obj):
        counted = getattr(obj, "errors_counted", None)
        return obj.error_count if counted is None else counted

    @admin.display(description="what it changed")
    def changed_rows(self, obj):
        model = CHANGED_ROWS_LIST.get(obj.kind)
        if model is None or not obj.changed:
            return "—"
        url = reverse(f"admin:recommendations_{model}_changelist") + f"?job={obj.pk}"
        return format_html('<a href="{}">The {} rows it changed</a>', url, obj.changed)

    @admin.display(description="file")
    def download(self, obj):
        if obj.file_removed_at is not None and not (obj.result_file or obj.input_file):
            return removed_file_note(obj)
        if not obj.result_file or obj.state != Job.State.SUCCEEDED:
            return "—"
        if export.export_job_is_expired(obj):
            return "expired (files are kept EXPORT_JOB_TTL hours)"
        url = reverse("admin:recommendations_job_download", args=[obj.pk])
        return format_html('<a href="{}">Download</a>', url)

    @admin.display(description="rows refused")
    def error_list(self, obj):
        if not obj.errors:
            return "—"
        shown = format_html_join(
            "",
            "<div><strong>{}</strong>: {}</div>",
            ((error.get("row"), error.get("error")) for error in obj.errors[:ERRORS_SHOWN]),
        )
        if len(obj.errors) <= ERRORS_SHOWN:
            return shown
        return format_html("{}<div>… and {} more.</div>", shown, len(obj.errors) - ERRORS_SHOWN)

    def download_view(self, request, object_id):
        job = Job.objects.filter(pk=object_id).first()
        if job is not None and job.file_removed_at is not None and not job.result_file:
            raise Http404(removed_file_note(job))
        if job is None or not job.result_file or job.state != Job.State.SUCCEEDED:
            raise Http404("No file.")
        # The file holds what its starter chose to export (drafts included): theirs to download.
        if not (request.user.is_superuser or request.user.pk == job.started_by_id):
            raise PermissionDenied
        if export.export_job_is_expired(job):
            export.export_files_remove([job])
            return HttpResponseGone(
                "This export has expired (files are kept EXPORT_JOB_TTL hours): export the list again."
            )
        file_path = settings.EXPORT_DIR / job.result_file
        if not file_path.is_file():
            raise Http404("The file is gone (exports are kept in EXPORT_DIR until cleaned up).")
        return FileResponse(file_path.open("rb"), as_attachment=True, filename=job.result_file)

    @admin.action(description="Run selected jobs again (failed, or stopped without finishing)")
    def run_again(self, request, queryset):
        self._run_again(request, list(queryset))

    @admin.action(description="Publish the status updates of the selected bulk assessments")
    def publish_assessment(self, request, queryset):
        from ..jobs.assessment import assessment_publish_queue

        for job in queryset:
            try:
                publish = assessment_publish_queue(job=job, user=request.user)
            except PermissionDenied as error:
                self.message_user(request, f"{job}: {error}", messages.ERROR)
                continue
            self.message_user(request, format_html("{}: publishing queued as {}.", job, job_link(publish)))

    def _run_again(self, request, jobs):
        for job in jobs:
            try:
                queued = runner.job_requeue(job=job, user=request.user)
            except PermissionDenied as error:
                self.message_user(request, f"{job}: {error}", messages.ERROR)
                continue
            if queued:
                self.message_user(request, f"{job}: queued again; it continues where it stopped.")
            else:
                self.message_user(request, f"{job}: not run again (it is queued, running or done).", messages.WARNING)


def confirm_bulk_response(model_admin, request, queryset, *, action, title, explanation):
    """The page asking a reviewer to confirm a large bulk job; posting it back queues the job."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "explanation": explanation,
        "count": queryset.count(),
        "action": action,
        "select_across": request.POST.get("select_across", "0"),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/recommendations/job/confirm_bulk.html", context)
