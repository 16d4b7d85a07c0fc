"""Helpers for tests of background jobs: run the real worker (``db_worker``) in the test."""

from django.core.management import call_command

from recommendations.jobs.models import Job


def run_worker():
    """Run every queued task with the real worker command, then return (``--batch``). Needs a
    ``transactional_db`` test: the worker takes its tasks in transactions of its own."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def fresh(job: Job) -> Job:
    job.refresh_from_db()
    return job
