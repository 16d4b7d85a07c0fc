"""The API's export jobs: a spreadsheet of any number of rows, written in the background.

``GET recommendations/export/`` streams the rows in the request, which is fine up to
``EXPORT_STREAM_LIMIT`` rows; past it a request would outlive the server's timeout, so it answers
400 with the URL of the export job for the same filters instead. The job:

- ``POST recommendations/export/jobs/?<the same filters>&format=csv|xlsx`` (or
  ``status-updates/export/jobs/``) checks the filters with the list's FilterSet (400 with field
  errors) and queues a job (``jobs.export.export_job_queue_query``, the admin's export pipeline):
  202 Accepted, ``Location`` and the job's JSON, whose ``url`` holds its access key;
- ``GET export-jobs/<key>/`` gives its state and progress; ``GET export-jobs/<key>/download/`` the
  file once it is written (410 Gone once it has expired, ``EXPORT_JOB_TTL``).

Who may: anyone may start one (reading is public), throttled (scope ``export_job``). The file
holds what its starter may see: published rows for the public, drafts too for staff (as the
streamed export). The key is unguessable (a random secret, of which only the hash is stored),
and it is the only way to a job: a job started anonymously is readable with its key alone (the
public dashboard polls it without cookies); a logged-in user's job (it may hold drafts) only by
that user, or a superuser, holding its key.
"""

from django.apps import apps
from django.conf import settings
from django.http import FileResponse
from django.urls import path, re_path, reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from .. import spreadsheets
from ..filters import RecommendationFilterSet, StatusUpdateFilterSet
from ..jobs import export as export_jobs
from ..jobs.models import Job
from ..models import Recommendation, StatusUpdate
from ..querysets import visible_to
from .schema import AutoSchema
from .view_base import ApiViewMixin

PRIVATE = "private, no-store"  # a job's answers carry its key: no shared cache keeps them


class TooManyRows(APIException):
    """The streamed export refuses more than ``EXPORT_STREAM_LIMIT`` rows: use the export job."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_many_rows"


class Busy(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "busy"


def refuse_when_the_public_queue_is_full(user) -> None:
    """Anonymous export jobs waiting or running at once, all clients together, are capped
    (``EXPORT_JOBS_PUBLIC_MAX_WAITING``): a 503 with Retry-After beyond it. One query."""
    if user is not None and user.is_authenticated:
        return
    waiting = export_jobs.public_export_jobs_waiting().count()
    if waiting >= settings.EXPORT_JOBS_PUBLIC_MAX_WAITING:
        error = Busy(f"{waiting} public exports are being written; try again in a minute.")
        error.wait = 60
        raise error


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


def jobs_url_name(model) -> str:
    return f"api:{model._meta.model_name}-export-jobs"


def refuse_past_stream_limit(queryset, request) -> None:
    """Called by the streamed export: 400 with the export job's URL (the same filters) when the
    filters select more than ``EXPORT_STREAM_LIMIT`` rows. One query, counting at most limit + 1."""
    limit = settings.EXPORT_STREAM_LIMIT
    if queryset.order_by().values("pk")[: limit + 1].count() <= limit:
        return
    query = request.META.get("QUERY_STRING", "")
    url = request.build_absolute_uri(reverse(jobs_url_name(queryset.model))) + (f"?{query}" if query else "")
    error = TooManyRows(
        f"These filters select more than {limit:,} {queryset.model._meta.verbose_name_plural}, more than an "
        "export streamed in one request (it would run past the server's time limit). POST the same query to "
        "the export job URL in `export_job`: it writes the file in the background and answers with a URL to "
        "follow its progress and download the file; or narrow the filters."
    )
    error.detail = {"detail": error.detail, "code": "too_many_rows", "export_job": url}
    raise error


class ExportJobSerializer(serializers.Serializer):
    """An export job as the API shows it."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=Job.State.choices, help_text="queued, running, succeeded or failed.")
    format = serializers.ChoiceField(choices=sorted(spreadsheets.FORMATS))
    done = serializers.IntegerField(help_text="Rows written so far.")
    total = serializers.IntegerField(help_text="Rows the filters select (counted again when the job starts).")
    elapsed = serializers.FloatField(allow_null=True, help_text="Seconds running so far (or in all), or null.")
    errors = serializers.ListField(child=serializers.CharField(), help_text="Problems met, in words.")
    outcome = serializers.CharField(help_text="What came of it, once finished.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the file stops being offered.")
    expired = serializers.BooleanField()
    url = serializers.URLField(help_text="This job (poll it); the URL holds the job's access key.")
    download_url = serializers.URLField(allow_null=True, help_text="The file, once written and until it expires.")


def job_data(job: Job, key: str, request) -> dict:
    now = timezone.now()
    expired = export_jobs.export_job_is_expired(job, now)
    url = request.build_absolute_uri(reverse("api:export-job", args=[key]))
    ready = job.state == Job.State.SUCCEEDED and bool(job.result_file) and not expired
    return {
        "id": job.pk,
        "state": job.state,
        "format": job.params.get("format"),
        "done": job.done,
        "total": job.total,
        "elapsed": job.elapsed.total_seconds() if job.elapsed is not None else None,
        "errors": [str(error.get("error", error)) for error in job.errors],
        "outcome": job.outcome,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": export_jobs.export_job_expires_at(job),
        "expired": expired,
        "url": url,
        "download_url": request.build_absolute_uri(reverse("api:export-job-download", args=[key])) if ready else None,
    }


class ExportJobSchema(AutoSchema):
    """Starting and reading an export job needs no credentials (as reads; a staff token makes the
    file include drafts); a job URL answers 404 for a wrong key, its download 410 once expired."""

    def get_auth(self):
        return []

    def error_codes(self):
        codes = super().error_codes()
        if "{key}" in self.path:
            codes |= {"403", "404"}
        return codes


class ExportJobViewMixin(ApiViewMixin):
    schema = ExportJobSchema()
    permission_classes = [AllowAny]  # reading, whoever asks; what they may read is decided per job
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # ``format`` here names the spreadsheet's format, not a renderer's; answers are JSON (a file).
        return JSONRenderer(), JSONRenderer.media_type

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = PRIVATE
        return response


FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["csv", "xlsx"], description="The spreadsheet's format: CSV (default) or XLSX."
)
KEY_PARAMETER = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    pattern=r"^[0-9]+-[A-Za-z0-9_-]+$",
    description="The job's access key (`<id>-<secret>`), as in the `url` its creation answered.",
)


class ExportJobCreateView(ExportJobViewMixin, GenericAPIView):
    """Queue a spreadsheet export of every row the filters select (the list's filters, in the query
    string, as ``…/export/`` takes them): for exports larger than the streamed export allows
    (``EXPORT_STREAM_LIMIT`` rows). Answers 202 with the job, whose ``url`` (also in ``Location``) to
    poll until ``state`` is ``succeeded``; then ``download_url`` gives the file until ``expires_at``.
    Anonymous clients get the published rows, staff drafts too (and only they may read their job)."""

    throttle_classes = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "export_job"
    filter_backends = [DjangoFilterBackend]  # documents the filters; ``post`` applies them itself
    model = None
    filterset_class = None
    serializer_class = ExportJobSerializer

    def get_queryset(self):
        return visible_to(self.model._default_manager.all(), self.request.user)

    @extend_schema(
        request=None,
        filters=True,
        parameters=[FORMAT_PARAMETER],
        responses={
            202: ExportJobSerializer,
            503: OpenApiResponse(
                description="Too many public exports are being written: try again after Retry-After seconds."
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        if request.data:
            raise ValidationError({"non_field_errors": ["Send the filters in the query string; this takes no body."]})
        file_format = request.query_params.get("format") or "csv"
        if file_format not in spreadsheets.FORMATS:
            raise ValidationError({"format": ["Choose csv or xlsx."]})
        refuse_when_the_public_queue_is_full(request.user)
        query = export_jobs.filter_query(request.query_params)
        filterset = export_jobs.export_filterset(self.model._meta.label, query, request.user)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        total = filterset.qs.order_by().count()
        job, key = export_jobs.export_job_queue_query(
            model=self.model, query=query, file_format=file_format, user=request.user, total=total
        )
        data = job_data(job, key, request)
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class ExportJobLookupMixin(ExportJobViewMixin):
    def job(self, key) -> Job:
        job = export_jobs.export_job_for_key(key)
        if job is None:
            raise NotFound("No export job has this key.")
        if not export_jobs.export_job_readable_by(job, self.request.user):
            # The key of a job that may hold drafts is not enough: its starter must be signed in.
            self.permission_denied(self.request, "This export job is its starter's: sign in as them to read it.")
        return job


class ExportJobView(ExportJobLookupMixin, GenericAPIView):
    """An export job: its state (queued, running, succeeded, failed), progress (rows ``done`` of
    ``total``, ``elapsed`` seconds), errors and outcome, and, once the file is written, its
    ``download_url`` (until ``expires_at``)."""

    serializer_class = ExportJobSerializer

    @extend_schema(parameters=[KEY_PARAMETER], responses={200: ExportJobSerializer})
    def get(self, request, key):
        return Response(job_data(self.job(key), key, request))


class ExportJobDownloadView(ExportJobLookupMixin, GenericAPIView):
    """The export job's file (CSV or XLSX, as an attachment), once written; 404 before (see the
    job's ``state``), 410 Gone once it has expired (start a new export job)."""

    @extend_schema(
        parameters=[KEY_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, spreadsheets.FORMATS["xlsx"][0]): OpenApiTypes.BINARY,
            410: OpenApiResponse(description="The file has expired and was removed: start a new export job."),
        },
    )
    def get(self, request, key):
        job = self.job(key)
        if export_jobs.export_job_is_expired(job):
            export_jobs.export_files_remove([job])
            raise Gone(
                f"This export expired at {export_jobs.export_job_expires_at(job):%Y-%m-%d %H:%M} UTC "
                f"(files are kept {settings.EXPORT_JOB_TTL:g} hours) and was removed: start a new export job."
            )
        if job.state != Job.State.SUCCEEDED or not job.result_file:
            raise NotFound(f"The file is not written yet: the job is {job.get_state_display().lower()}.")
        file_path = settings.EXPORT_DIR / job.result_file
        if not file_path.is_file():
            raise Gone("The file is no longer on the server: start a new export job.")
        model = apps.get_model(job.params["model"])
        content_type, extension = spreadsheets.FORMATS[job.params["format"]]
        name = spreadsheets.filename(model, extension, when=timezone.localdate(job.finished_at))
        return FileResponse(file_path.open("rb"), as_attachment=True, filename=name, content_type=content_type)


urlpatterns = [
    path(
        "recommendations/export/jobs/",
        ExportJobCreateView.as_view(model=Recommendation, filterset_class=RecommendationFilterSet),
        name="recommendation-export-jobs",
    ),
    path(
        "status-updates/export/jobs/",
        ExportJobCreateView.as_view(model=StatusUpdate, filterset_class=StatusUpdateFilterSet),
        name="statusupdate-export-jobs",
    ),
    re_path(r"^export-jobs/(?P<key>[^/]+)/$", ExportJobView.as_view(), name="export-job"),
    re_path(r"^export-jobs/(?P<key>[^/]+)/download/$", ExportJobDownloadView.as_view(), name="export-job-download"),
]
