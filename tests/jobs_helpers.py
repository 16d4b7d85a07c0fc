"""Helpers for tests of background jobs: run the real worker (``db_worker``) in the test."""

from django.core.management import call_command

from recommendations.jobs.models import Job


def run_worker():
    """Run every queued task with the real worker command, then return (``--batch``). Needs a
    ``transactional_db`` test: the worker takes its tasks in transactions of its own."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def run_queued_jobs():
    """Run the queued jobs here, as the worker would (``runner.job_run``), for tests inside one
    transaction, where the task queue sees nothing queued (it is told on commit)."""
    from recommendations.jobs import runner

    for job_id in Job.objects.filter(state=Job.State.QUEUED).order_by("pk").values_list("pk", flat=True):
        runner.job_run(job_id=job_id)


def fresh(job: Job) -> Job:
    job.refresh_from_db()
    return job
