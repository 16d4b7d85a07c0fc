"""Queueing and running background jobs.

A job is a ``Job`` row (what curators see) plus a task on Django's tasks interface (what a worker
runs: ``python manage.py db_worker``). Each kind of job has a handler, registered with
``@handler(kind)``, that does the work through the services, committing in batches with
``run_batches`` (or all at once in one transaction): a worker killed half-way leaves whole
batches, and the job's ``cursor`` says where a rerun continues. Reruns are safe because the
services are idempotent (publishing what is published changes nothing) and a job is claimed by
one worker at a time.
"""

import logging
import time
import traceback
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from .. import services
from .liveness import Superseded, job_save, keep_alive, owned
from .models import Job

logger = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[Job], str]] = {}
# What a row can be refused for without stopping the job: it is listed among the job's errors.
ROW_ERRORS = (PermissionDenied, ValidationError, services.ConcurrentEditError)


class JobRefused(Exception):
    """A job refused as a whole by the rules (an import that cannot be applied, a permission
    withdrawn since it was queued): nothing was written; the job fails with this message as its
    outcome, which says what to do, with no traceback in the log."""


def handler(kind):
    """Register the function that does the work of jobs of ``kind``; it returns the outcome."""

    def register(function):
        HANDLERS[kind] = function
        return function

    return register


def after_row(job, index):
    """Called after each row inside the batch's transaction: a test replaces it to stop a worker
    half-way through a batch."""


@task()
def run_job(job_id: int) -> str:
    """The task a worker runs: the job's handler, once this worker has claimed the job."""
    return job_run(job_id=job_id)


def job_queue(*, kind: str, user, total: int, params: dict, description: str = "") -> Job:
    """Record a job and queue it for a worker (once the caller's transaction commits)."""
    job = Job.objects.create(kind=kind, started_by=user, total=total, params=params, description=description[:300])
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id):
    result = run_job.enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_id=str(result.id))


def job_requeue(*, job: Job, user=None) -> bool:
    """Queue a failed job, or one whose worker died (no progress for ``JOBS_STALE_AFTER``
    seconds), again: it continues where its last committed batch ended. Refused for anyone but
    the person who started it or a superuser. Returns whether it was queued.

    A run taken for dead that is in fact alive cannot do harm: it is fenced out (``liveness``),
    its uncommitted work rolled back. On SQLite a job holding the write lock (an import writing)
    is alive by definition: the lock we cannot get answers "not stale"."""
    if user is not None and not (user.is_superuser or user.pk == job.started_by_id):
        raise PermissionDenied("Only the person who started this job (or an administrator) can run it again.")
    stale_before = timezone.now() - timezone.timedelta(seconds=settings.JOBS_STALE_AFTER)
    try:
        with transaction.atomic():
            requeued = (
                Job.objects.filter(pk=job.pk)
                .filter(
                    Q(state=Job.State.FAILED)
                    | Q(state=Job.State.RUNNING, heartbeat_at__lt=stale_before)
                    | Q(state=Job.State.RUNNING, heartbeat_at=None, started_at__lt=stale_before)
                )
                .update(state=Job.State.QUEUED, finished_at=None)
            )
    except OperationalError as error:
        if connection.vendor == "sqlite" and "locked" in str(error):
            logger.info("Job %s not queued again: the database is locked by a writer (the job itself).", job.pk)
            return False
        raise
    if requeued:
        transaction.on_commit(lambda: _enqueue(job.pk))
        job.refresh_from_db()
    return bool(requeued)


def job_run(*, job_id: int) -> str:
    """Claim the job (queued → running; only one worker wins) and run its handler. A job that
    is already running elsewhere or finished is left alone, so a duplicate task does nothing.
    The claim numbers the run (``attempts``); every later write of this run to the job row is
    fenced by that number, so a run superseded meanwhile writes nothing (``liveness``)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        logger.info("Job %s is not queued (already running, finished or gone): nothing to do.", job_id)
        return "not queued"
    job = Job.objects.select_related("started_by").get(pk=job_id)
    try:
        outcome = HANDLERS[job.kind](job)
    except Superseded as superseded:
        logger.warning("%s Its uncommitted work was rolled back; the newer run goes on.", superseded)
        return "superseded"
    except JobRefused as refusal:
        logger.info("Job %s refused: %s", job_id, refusal)
        owned(job).update(state=Job.State.FAILED, finished_at=timezone.now(), outcome=f"Refused: {refusal}"[:5000])
        return f"refused: {refusal}"
    except Exception as error:
        logger.exception("Job %s failed", job_id)
        message = f"{type(error).__name__}: {error}"
        owned(job).update(state=Job.State.FAILED, finished_at=timezone.now(), outcome=f"Stopped: {message}"[:5000])
        raise
    if not owned(job).update(state=Job.State.SUCCEEDED, finished_at=timezone.now(), outcome=outcome):
        logger.warning(
            "Job %s: attempt %s finished but was superseded; the newer run's state stands.", job_id, job.attempts
        )
        return "superseded"
    return outcome


def row_error(row, error) -> dict:
    """A refused row, for the job's error list."""
    if isinstance(error, ValidationError):
        text = " ".join(error.messages)
    else:
        text = str(error) or type(error).__name__
    return {"row": str(row), "id": getattr(row, "pk", None), "error": text}


def run_batches(job: Job, ids: Sequence[int], load: Callable, act: Callable) -> None:
    """Do ``act(row)`` for the rows with ``ids[job.cursor:]``, in batches.

    Each batch is one transaction that also records the job's progress, so the job row and the
    data always agree; a row refused by a service's rules (``ROW_ERRORS``) is rolled back alone
    and listed. A batch ends after ``JOBS_BATCH_SIZE`` rows or ``JOBS_BATCH_SECONDS``, whichever
    comes first: short transactions keep the database free for the curators' own saves (SQLite
    has one writer at a time). ``load(ids)`` returns the rows (missing ones are skipped); ``act``
    returns whether it changed the row, or the id of the row it wrote (a bulk assessment's
    status update).
    """
    size, seconds = settings.JOBS_BATCH_SIZE, settings.JOBS_BATCH_SECONDS
    while job.cursor < len(ids):
        batch = ids[job.cursor : job.cursor + size]
        deadline = time.monotonic() + seconds
        with transaction.atomic():
            rows = {row.pk: row for row in load(batch)}
            changed_ids, errors, handled = [], [], 0
            for index, pk in enumerate(batch):
                handled = index + 1
                row = rows.get(pk)
                if row is not None:
                    try:
                        with transaction.atomic():
                            result = act(row)
                        if result:
                            changed_ids.append(pk if result is True else result)
                    except ROW_ERRORS as error:
                        errors.append(row_error(row, error))
                    after_row(job, job.cursor + index)
                if time.monotonic() >= deadline:
                    break
            job.cursor += handled
            job.done = job.cursor
            job.changed += len(changed_ids)
            job.changed_ids = [*job.changed_ids, *changed_ids]
            job.errors = [*job.errors, *errors]
            job.heartbeat_at = timezone.now()
            # Last in the batch: a superseded run rolls the batch back here (liveness).
            job_save(job, ["cursor", "done", "changed", "changed_ids", "errors", "heartbeat_at"])


def run_at_once(job: Job, work: Callable[[], tuple[int, list[int]]]) -> None:
    """Do all of the job's work in one transaction with its progress: all or nothing."""
    with keep_alive(job), transaction.atomic():
        changed, changed_ids = work()
        job.done, job.cursor, job.changed, job.changed_ids = job.total, job.total, changed, changed_ids
        job.heartbeat_at = timezone.now()
        job_save(job, ["cursor", "done", "changed", "changed_ids", "heartbeat_at"])


def summary(job: Job, verb: str, noun: str) -> str:
    """The outcome line: how many rows changed, how many already were, how many were refused."""
    refused = len(job.errors)
    others = job.done - job.changed - refused
    text = f"{job.changed} of {job.total} {noun} {verb}"
    if others:
        text += f"; {others} already were"
    if refused:
        text += f"; {refused} refused (see the errors)"
    return text + "."


def format_exception(error) -> str:
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def wait_for(job: Job, timeout: float = 30.0) -> Job:
    """Poll until the job finishes (for scripts and the benchmark)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    return job
