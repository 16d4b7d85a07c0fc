"""Bulk publish, withdraw, archive and restore as background jobs: the same review services as
one row at a time, row by row in batches, in the name of the reviewer who queued it."""

from django.core.exceptions import PermissionDenied

from .. import services
from ..models import Recommendation, StatusUpdate
from ..permissions import ARCHIVE_RECOMMENDATION, PUBLISH_RECOMMENDATION, PUBLISH_STATUS_UPDATE
from .models import Job
from .runner import handler, job_queue, run_batches, summary


class ReviewJob:
    """What a review job kind runs: the service, on which model, guarded by which permission."""

    def __init__(self, model, service, permission, done):
        self.model, self.service, self.permission, self.done = model, service, permission, done

    @property
    def argument(self):
        return "status_update" if self.model is StatusUpdate else "recommendation"


REVIEW_JOBS = {
    Job.Kind.PUBLISH: ReviewJob(Recommendation, services.recommendation_publish, PUBLISH_RECOMMENDATION, "published"),
    Job.Kind.UNPUBLISH: ReviewJob(
        Recommendation, services.recommendation_unpublish, PUBLISH_RECOMMENDATION, "withdrawn to draft"
    ),
    Job.Kind.ARCHIVE: ReviewJob(Recommendation, services.recommendation_archive, ARCHIVE_RECOMMENDATION, "archived"),
    Job.Kind.RESTORE: ReviewJob(Recommendation, services.recommendation_restore, ARCHIVE_RECOMMENDATION, "restored"),
    Job.Kind.PUBLISH_STATUS_UPDATES: ReviewJob(
        StatusUpdate, services.status_update_publish, PUBLISH_STATUS_UPDATE, "published"
    ),
}


def review_job_queue(*, kind: str, ids, user, description: str = "") -> Job:
    """Queue a bulk review job on the rows with ``ids``. Refused at once (``PermissionDenied``)
    for a user without the permission the service requires; the services check it again, row
    by row, when the job runs."""
    review = REVIEW_JOBS[kind]
    if user is None or not user.has_perm(review.permission):
        raise PermissionDenied(f"You may not {Job.Kind(kind).label.lower()}.")
    ids = sorted(int(pk) for pk in ids)
    noun = review.model._meta.verbose_name_plural
    return job_queue(
        kind=kind, user=user, total=len(ids), params={"ids": ids}, description=description or f"{len(ids)} {noun}"
    )


def run_review_job(job: Job) -> str:
    review = REVIEW_JOBS[job.kind]
    user = job.started_by
    if user is None:
        # Never run a reviewer's job as the all-powerful command-line operator (user=None).
        raise PermissionDenied("The account that queued this job no longer exists.")
    run_batches(
        job,
        job.params["ids"],
        load=lambda ids: review.model.objects.filter(pk__in=ids),
        act=lambda row: review.service(**{review.argument: row}, user=user),
    )
    return summary(job, review.done, review.model._meta.verbose_name_plural)


for _kind in REVIEW_JOBS:
    handler(_kind)(run_review_job)
