"""Large spreadsheet exports as a background job, written to a file in ``EXPORT_DIR`` that the
job's page (admin) or the API's export job offers for download. The file is written under a
temporary name and renamed when complete, so it is all there or not at all; a rerun writes it
again from the start.

Two ways in, one pipeline (``run_export_job``):

- the admin's list export queues the ids of the rows its list shows (``export_job_queue``): at
  most what a curator's list holds, in the list's order;
- the API's export job (``export_job_queue_query``) queues the *filter query* instead — a few
  hundred bytes, whatever the number of rows, where a million ids would be megabytes of JSON in a
  row that every status poll reads. The query was validated by the API's FilterSet when it was
  queued; the worker runs it again through the same FilterSet, with the same visibility rule
  (``querysets.visible_to``, as the person who queued it, or the public), so the file holds what
  the API's streamed export would have given at that moment.

A file is kept ``EXPORT_JOB_TTL`` hours after the job finished: ``expired_export_jobs`` is the one
rule of which files are past it (the API refuses them with 410 Gone; ``export_files_remove``
deletes them, as the job clean-up does).
"""

import array
import datetime
import hashlib
import hmac
import secrets
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from .. import spreadsheets
from ..querysets import visible_to
from .liveness import job_save, job_update
from .models import Job
from .runner import JobRefused, handler, job_queue


def export_job_queue(*, model, ids, file_format: str, user, description: str = "") -> Job:
    """Queue the export of the rows with ``ids`` (in that order) as ``file_format`` (csv, xlsx)."""
    if file_format not in spreadsheets.FORMATS:
        raise ValueError(f"Unknown export format: {file_format}")
    noun = model._meta.verbose_name_plural
    return job_queue(
        kind=Job.Kind.EXPORT,
        user=user,
        total=len(ids),
        params={"model": model._meta.label, "ids": list(ids), "format": file_format},
        description=description or f"{len(ids)} {noun} as {file_format.upper()}",
    )


# ── The API's export jobs: a filter query, resolved in the worker ─────────────────────────────


def export_sources():
    """For each model the API exports, its rows before filtering (the API list's own queryset and
    order) and its FilterSet: the same two the API's streamed export starts from."""
    from ..filters import RecommendationFilterSet, StatusUpdateFilterSet
    from ..models import Recommendation, StatusUpdate

    return {
        Recommendation._meta.label: (lambda: Recommendation.objects.all(), RecommendationFilterSet),
        StatusUpdate._meta.label: (lambda: StatusUpdate.objects.latest_first(), StatusUpdateFilterSet),
    }


def filter_query(query_params) -> dict[str, list[str]]:
    """A request's filters as JSON (every value of each, in order), without ``format``."""
    return {name: query_params.getlist(name) for name in query_params if name != "format"}


def export_filterset(model_label: str, query: dict[str, list[str]], user):
    """The FilterSet of ``model_label``'s export over the rows ``user`` (None: the public) may see."""
    rows, filterset_class = export_sources()[model_label]
    data = QueryDict(mutable=True)
    for name, values in query.items():
        data.setlist(name, values)
    viewer = user or AnonymousUser()
    # The filters read only the client's identity from the request (what their choices may offer).
    return filterset_class(data=data, queryset=visible_to(rows(), viewer), request=SimpleNamespace(user=viewer))


def _key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def export_job_queue_query(*, model, query: dict[str, list[str]], file_format: str, user, total: int):
    """Queue the API export of the rows ``query`` selects (validated already) for ``user`` (None
    or anonymous: the public's rows). Returns the job and its access key, ``<id>-<secret>``: the
    secret's SHA-256 is kept, not the secret, so the key is in the client's hands only."""
    if file_format not in spreadsheets.FORMATS:
        raise ValueError(f"Unknown export format: {file_format}")
    owner = user if user is not None and user.is_authenticated else None
    secret = secrets.token_urlsafe(24)
    noun = model._meta.verbose_name_plural
    job = job_queue(
        kind=Job.Kind.EXPORT,
        user=owner,
        total=total,
        params={
            "model": model._meta.label,
            "query": query,
            "format": file_format,
            # Whose rows (drafts for staff): kept apart from started_by, which is cleared if the
            # account is deleted, so such a job never turns into one its key alone may read.
            "user": owner.pk if owner else None,
            "key_sha256": _key_digest(secret),
        },
        description=f"API export: {total} {noun} as {file_format.upper()}"
        + (f" ({'&'.join(f'{k}={v}' for k, vs in query.items() for v in vs)})" if query else ""),
    )
    return job, f"{job.pk}-{secret}"


def public_export_jobs_waiting():
    """The API export jobs started anonymously that are queued or running."""
    return Job.objects.filter(
        kind=Job.Kind.EXPORT,
        state__in=[Job.State.QUEUED, Job.State.RUNNING],
        started_by__isnull=True,
        params__has_key="key_sha256",
    )


def export_job_for_key(key: str) -> Job | None:
    """The API export job whose access key is ``key``, or None (a wrong key reads as no job)."""
    number, _, secret = key.partition("-")
    if not number.isdigit() or not secret or len(number) > 18:
        return None
    job = Job.objects.filter(pk=int(number), kind=Job.Kind.EXPORT).first()
    expected = (job.params.get("key_sha256") or "") if job else ""
    if not expected or not hmac.compare_digest(expected, _key_digest(secret)):
        return None
    return job


def export_job_readable_by(job: Job, user) -> bool:
    """An anonymous job's key is enough; a logged-in user's job (it may hold drafts) is theirs
    alone, or a superuser's."""
    owner = job.params.get("user")
    if owner is None:
        return True
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.pk == owner))


# ── Expiry ──────────────────────────────────────────────────────────────────────────────────


def export_job_expires_at(job: Job) -> datetime.datetime | None:
    """When a finished export's file stops being offered (None while the job has not finished)."""
    if job.kind != Job.Kind.EXPORT or job.state != Job.State.SUCCEEDED or job.finished_at is None:
        return None
    return job.finished_at + datetime.timedelta(hours=settings.EXPORT_JOB_TTL)


def export_job_is_expired(job: Job, now=None) -> bool:
    expires = export_job_expires_at(job)
    return expires is not None and expires <= (now or timezone.now())


def expired_export_jobs(now=None):
    """The export jobs (admin and API) whose file is past ``EXPORT_JOB_TTL`` and not yet removed:
    the one expiry rule, for the API's 410 and the job files' clean-up."""
    now = now or timezone.now()
    return Job.objects.filter(
        kind=Job.Kind.EXPORT,
        state=Job.State.SUCCEEDED,
        finished_at__lte=now - datetime.timedelta(hours=settings.EXPORT_JOB_TTL),
    ).exclude(result_file="")


def export_files_remove(jobs) -> int:
    """Delete the files of ``jobs`` (e.g. ``expired_export_jobs()``) and forget them; how many."""
    removed = 0
    for job in jobs:
        if job.result_file:
            (settings.EXPORT_DIR / job.result_file).unlink(missing_ok=True)
            now = timezone.now()
            Job.objects.filter(pk=job.pk).update(result_file="", file_removed_at=now)
            job.result_file, job.file_removed_at = "", now
            removed += 1
    return removed


# ── The worker's side ───────────────────────────────────────────────────────────────────────


def _ids_of_query(job: Job):
    """The ids the job's query selects now, in the export's order, as a compact array (8 bytes a
    row). Read at once, in one query, rather than through a cursor held open while the file is
    written: the progress commits between chunks, which an open SQLite read would hold back."""
    params = job.params
    user = None
    if params.get("user") is not None:
        user = job.started_by
        if user is None or user.pk != params["user"]:
            raise JobRefused("The account that queued this export no longer exists; start a new export.")
    filterset = export_filterset(params["model"], params["query"], user)
    if not filterset.is_valid():  # valid when queued; a theme deleted since, say
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        raise JobRefused(f"The filters are no longer valid ({problems}); start a new export.")
    ids = filterset.qs.prefetch_related(None).values_list("pk", flat=True)
    return array.array("q", ids)


@handler(Job.Kind.EXPORT)
def run_export_job(job: Job) -> str:
    model = apps.get_model(job.params["model"])
    file_format = job.params["format"]
    if "query" in job.params:
        ids = _ids_of_query(job)
        owner = job.started_by if job.params.get("user") is not None else None
        sheet = spreadsheets.sheet_for(model, owner)
        if len(ids) != job.total:
            job.total = len(ids)
            job_update(job, total=job.total)
    else:
        ids = job.params["ids"]
        sheet = spreadsheets.sheet_for(model, job.started_by)
    name = f"job-{job.pk}-{spreadsheets.filename(model, spreadsheets.FORMATS[file_format][1])}"
    settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    final = settings.EXPORT_DIR / name
    partial = final.with_name(f"{final.name}.{job.attempts}.part")  # one per run

    def progress(done):
        job_update(job, done=done, heartbeat_at=timezone.now())

    objects = spreadsheets.in_order(sheet, ids, progress)
    table = spreadsheets.rows(sheet, objects)
    if file_format == "csv":
        with partial.open("w", encoding="utf-8", newline="") as stream:
            spreadsheets.write_csv(table, stream)
    else:
        with partial.open("wb") as stream:
            spreadsheets.write_xlsx(table, stream, title=str(model._meta.verbose_name_plural))
    job.done = job.cursor = job.total
    job.result_file = name
    job.heartbeat_at = timezone.now()
    with transaction.atomic():
        try:
            job_save(job, ["done", "cursor", "result_file", "heartbeat_at"])
        except Exception:
            partial.unlink(missing_ok=True)  # superseded: the newer run writes the file
            raise
        partial.replace(final)
    where = "from its download URL" if "query" in job.params else "from this page"
    return f"{job.total} {model._meta.verbose_name_plural} exported as {file_format.upper()}: download it {where}."
