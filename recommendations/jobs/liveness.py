"""Which run of a job owns it (attempt fencing), and keeping a long single-transaction job alive.

A job whose worker stops committing progress for ``JOBS_STALE_AFTER`` seconds is taken for dead
and may be queued again. Two things keep that from ever running one job twice at once:

* **Fencing.** Claiming a job adds one to ``Job.attempts``; the run remembers its number and
  every write to the job row goes through ``job_update``, which updates the row only
  ``WHERE attempts = n AND state = 'running'``. A run that was superseded (its job queued again,
  maybe claimed by another worker) finds no row to update and raises ``Superseded``: inside a
  batch or an import's transaction, that rolls the whole transaction back, so a superseded run
  writes nothing and never overwrites the newer run's progress or outcome.
* **Heartbeat.** An import writes everything in one transaction, which cannot commit progress.
  ``keep_alive`` beats for it: on PostgreSQL a side thread with its own connection commits
  ``heartbeat_at`` every ``JOBS_HEARTBEAT_SECONDS`` while the transaction runs (the thread dies
  with the worker, so a killed worker still goes stale). SQLite has one writer at a time: no
  thread can commit beside the transaction, and none needs to — queueing the job again is itself
  a write, which waits for the writing job's lock until the job commits (refreshing its
  heartbeat) or its process dies (releasing the lock); ``runner.job_requeue`` treats a lock it
  cannot get as "the job is writing: alive".
"""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)


class Superseded(Exception):
    """This run's job was queued again (taken for dead) and belongs to a newer run: stop, write
    nothing. Raised inside a transaction, it rolls the run's uncommitted writes back."""


def owned(job: Job):
    """The job's row, as long as this run (``job.attempts``) still owns it."""
    return Job.objects.filter(pk=job.pk, attempts=job.attempts, state=Job.State.RUNNING)


def job_update(job: Job, **fields) -> None:
    """Update this run's job row (progress, heartbeat, result), or raise ``Superseded`` if a newer
    run owns it. Called last in a job's transaction, it is what commits or rolls back the work."""
    if not owned(job).update(**fields):
        raise Superseded(f"Job {job.pk}: attempt {job.attempts} was superseded by a newer run.")


def job_save(job: Job, fields) -> None:
    """``job_update`` with the values of ``fields`` already set on ``job``."""
    job_update(job, **{name: getattr(job, name) for name in fields})


class _Heartbeat(threading.Thread):
    """Commits the job's heartbeat every ``interval`` seconds on a connection of its own."""

    def __init__(self, job: Job, interval: float):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job, self.interval, self.stopped = job, interval, threading.Event()
        self.beats = 0

    def run(self):
        try:
            while not self.stopped.wait(self.interval):
                if not owned(self.job).update(heartbeat_at=timezone.now()):
                    return  # superseded or finished: the main thread finds out at its next write
                self.beats += 1
        except Exception:  # a lost connection must not kill the worker; the job just goes stale
            logger.exception("Job %s: the heartbeat stopped", self.job.pk)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self):
        self.stopped.set()
        self.join()


def heartbeat_thread_possible() -> bool:
    """Another connection can commit while this one holds a write transaction (not on SQLite)."""
    return connection.vendor != "sqlite" and settings.JOBS_HEARTBEAT_SECONDS > 0


@contextmanager
def keep_alive(job: Job):
    """Keep ``job`` from going stale while the block runs (a long transaction): a heartbeat
    thread where the database allows one (see the module's doc)."""
    if not heartbeat_thread_possible():
        yield
        return
    beat = _Heartbeat(job, settings.JOBS_HEARTBEAT_SECONDS)
    beat.start()
    try:
        yield
    finally:
        beat.stop()
