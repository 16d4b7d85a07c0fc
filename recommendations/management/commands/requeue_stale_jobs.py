"""Queue again the background jobs whose worker died (no progress for JOBS_STALE_AFTER seconds)."""

from django.core.management.base import BaseCommand

from recommendations.jobs.models import Job
from recommendations.jobs.runner import job_requeue


class Command(BaseCommand):
    help = (
        "Queue again every job that is running without progress for JOBS_STALE_AFTER seconds (its worker was "
        "killed or the machine restarted); each continues where its last committed batch ended."
    )

    def handle(self, *args, **options):
        stale = [job for job in Job.objects.filter(state=Job.State.RUNNING) if job.is_stale()]
        requeued = [job for job in stale if job_requeue(job=job)]
        if not requeued:
            self.stdout.write("No stale jobs.")
        for job in requeued:
            self.stdout.write(f"Queued again: {job} ({job.done} of {job.total} rows were done).")
