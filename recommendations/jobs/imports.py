"""The admin's UPR import (upload → preview → confirm) as a background job.

The confirmation stores the uploaded file with the job (``Job.input_file``) and queues it; the
worker reads it back, checks it is the file that was previewed (its SHA-256), and runs the
importer — the same rules as ``manage.py import_recommendations`` — planning again from the
database as it is then (reads only, committing how many rows it has read), then applying the
plan. The writes and the job's final progress are one transaction: a worker killed half-way
leaves nothing of the import, and a rerun does it all (re-importing the same file changes
nothing, so a rerun after a commit is harmless too). A refusal (a bad file, a
row someone else changed while it was written, a permission withdrawn meanwhile) fails the job
with the importer's message; nothing is written.
"""

import datetime
import hashlib
import time

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .. import bulk
from ..importers import ImportRefused, plan_import, summary
from .liveness import job_save, job_update, keep_alive
from .models import Job
from .runner import JobRefused, handler, job_queue

PROGRESS_SECONDS = 0.5  # how often reading the file commits its progress
MAX_WARNINGS = 200


def after_write_batch(job: Job, index: int) -> None:
    """Called after each batch the import writes, inside its transaction: a test replaces it to
    stop a worker half-way through the import."""


def import_job_queue(
    *, content: bytes, file_name: str, options: dict, user, publish: bool = False, rows: int = 0
) -> Job:
    """Store ``content`` with a new import job and queue it. ``options`` are ``import_file``'s
    (format, state_under_review, encoding, assessed_by, assessed_on as ISO text); ``rows`` is the
    preview's count of the file's rows (the job's total). Refused at once (``PermissionDenied``)
    when ``publish`` is asked by someone the publish rule does not allow."""
    if publish:
        bulk.recommendations_check_publish(user=user)
    with transaction.atomic():
        job = job_queue(
            kind=Job.Kind.IMPORT_UPR,
            user=user,
            total=rows,
            params={
                "file_name": file_name,
                "sha256": hashlib.sha256(content).hexdigest(),
                "options": options,
                "publish": publish,
            },
            description=f"{file_name} ({rows} rows){', published' if publish else ''}",
        )
        job.input_file.save(f"job-{job.pk}.upload", ContentFile(content), save=False)
        job.save(update_fields=["input_file"])
    return job


def import_arguments(options: dict) -> dict:
    """The admin form's options (kept as JSON: the date as text) as ``import_file`` takes them."""
    on = options.get("assessed_on")
    return {**options, "assessed_on": datetime.date.fromisoformat(on) if on else None}


def _content(job: Job) -> bytes:
    if not job.input_file:
        raise JobRefused("The job has no file to import; upload it again.")
    try:
        with job.input_file.open("rb") as stream:
            content = stream.read()
    except OSError:
        raise JobRefused(
            f"The uploaded file is no longer there ({job.input_file.name} in JOBS_INPUT_DIR); upload it again."
        ) from None
    if hashlib.sha256(content).hexdigest() != job.params["sha256"]:
        raise JobRefused("The stored file is not the one that was previewed; upload it again.")
    return content


def _progress(job: Job):
    """``importers``' progress hook: reading the file commits how many rows were read (no
    transaction is open then); each batch written calls ``after_write_batch``."""
    last = time.monotonic()

    def progress(iterable, desc="", total=None, **kwargs):
        nonlocal last
        for index, item in enumerate(iterable):
            yield item
            if desc == "Reading" and time.monotonic() - last >= PROGRESS_SECONDS:
                last = time.monotonic()
                job_update(job, done=min(index + 1, job.total), heartbeat_at=timezone.now())
            elif desc == "Writing":
                after_write_batch(job, index)

    return progress


@handler(Job.Kind.IMPORT_UPR)
def run_import_job(job: Job) -> str:
    user = job.started_by
    if user is None:
        raise JobRefused("The account that queued this import no longer exists; nothing was imported.")
    content = _content(job)
    options = import_arguments(job.params["options"])
    file_name = job.params["file_name"]
    try:
        # Reading, checking and planning only read, outside any transaction, so the progress of
        # reading is committed as it goes and the database is free meanwhile; applying the plan
        # compares each row's version with the one planned from, as a confirmed preview does.
        plan = plan_import(
            content=content,
            file_name=file_name,
            user=user,
            publish=job.params["publish"],
            progress=_progress(job),
            **options,
        )
        report = plan.report
        job_update(job, done=report.rows, heartbeat_at=timezone.now())
        # One transaction, which cannot commit progress: keep_alive beats for it where the
        # database allows; the job row's update, last, is fenced (a superseded run rolls back).
        with keep_alive(job), transaction.atomic():
            plan.apply()
            job.done = job.cursor = job.total = report.rows
            job.changed, job.changed_ids = len(report.written_ids), report.written_ids
            job.errors = [{"row": "warning", "error": warning} for warning in report.warnings[:MAX_WARNINGS]]
            job.heartbeat_at = timezone.now()
            job_save(job, ["done", "cursor", "total", "changed", "changed_ids", "errors", "heartbeat_at"])
    except (ImportRefused, PermissionDenied) as error:
        raise JobRefused(f"{file_name}: {error} Nothing was imported.") from None
    # The file is in the database now (a source document of type dataset).
    job.input_file.delete(save=False)
    job_update(job, input_file="")
    return f"Imported {file_name} ({report.rows} rows): {summary(report)}."
