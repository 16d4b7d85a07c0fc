"""Large spreadsheet exports as a background job: the rows selected when it was queued, in their
order, written to a file in ``EXPORT_DIR`` that the job's page offers for download. The file is
written under a temporary name and renamed when complete, so it is all there or not at all; a
rerun writes it again from the start."""

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import spreadsheets
from .liveness import job_save, job_update
from .models import Job
from .runner import handler, job_queue


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


@handler(Job.Kind.EXPORT)
def run_export_job(job: Job) -> str:
    model = apps.get_model(job.params["model"])
    file_format = job.params["format"]
    sheet = spreadsheets.sheet_for(model, job.started_by)
    name = f"job-{job.pk}-{spreadsheets.filename(model, spreadsheets.FORMATS[file_format][1])}"
    settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    final = settings.EXPORT_DIR / name
    partial = final.with_name(f"{final.name}.{job.attempts}.part")  # one per run

    def progress(done):
        job_update(job, done=done, heartbeat_at=timezone.now())

    objects = spreadsheets.in_order(sheet, job.params["ids"], progress)
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
    return (
        f"{job.total} {model._meta.verbose_name_plural} exported as {file_format.upper()}: download it from this page."
    )


def expired_export_jobs(now=None):
    """The export jobs whose file is past ``EXPORT_RETENTION_HOURS`` after the job finished and not
    yet removed: the expiry rule ``manage.py cleanup_jobs`` applies."""
    now = now or timezone.now()
    return Job.objects.filter(
        kind=Job.Kind.EXPORT,
        state=Job.State.SUCCEEDED,
        finished_at__lte=now - timezone.timedelta(hours=settings.EXPORT_RETENTION_HOURS),
    ).exclude(result_file="")
