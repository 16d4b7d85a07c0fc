"""Bulk assessment: one status update, with one citation, recorded for each of many
recommendations — by ``services.status_update_record``, the service a single status update goes
through, so the same rules apply (the quote must occur in the document; each is a draft until a
reviewer publishes it). Small selections are recorded at once in one transaction; larger ones by
a background job in resumable batches. A reviewer publishes the whole assessment at once from
the job's page (``assessment_publish_queue``)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import services
from ..models import ImplementationStatus, Recommendation, SourceDocument, StatusUpdate
from ..permissions import ADD_STATUS_UPDATE
from .models import Job
from .review import review_job_queue
from .runner import handler, job_queue, run_batches, summary

# The status update's own fields a bulk assessment takes (the recommendation varies).
FIELDS = ["status", "as_of", "as_of_precision", "as_of_basis", "date_note", "summary", "assessor_kind", "assessed_by"]


def _require_may_record(user):
    if user is None or not user.has_perm(ADD_STATUS_UPDATE):
        raise PermissionDenied("You may not record status updates.")


def assessment_params(*, fields: dict, citation: services.CitationInput) -> dict:
    """The assessment as JSON for a job's ``params``."""
    params = {name: fields.get(name) for name in FIELDS}
    params["as_of"] = fields["as_of"].isoformat()
    params["assessed_by"] = fields["assessed_by"].pk if fields.get("assessed_by") else None
    params["citation"] = {"document": citation.document.pk, "quote": citation.quote, "location": citation.location}
    return params


def _record_for(recommendation, params, user) -> StatusUpdate:
    from ..models import Actor

    fields = {name: params[name] for name in FIELDS if params.get(name) is not None}
    fields["as_of"] = datetime.date.fromisoformat(params["as_of"])
    fields["assessed_by"] = Actor.objects.get(pk=params["assessed_by"]) if params.get("assessed_by") else None
    citation = params["citation"]
    document = SourceDocument.objects.get(pk=citation["document"])
    return services.status_update_record(
        recommendation=recommendation,
        citations=[services.CitationInput(document=document, quote=citation["quote"], location=citation["location"])],
        recorded_by=user,
        **fields,
    )


@transaction.atomic
def assessment_record(*, recommendations, fields: dict, citation: services.CitationInput, user) -> list[StatusUpdate]:
    """Record the assessment for each of ``recommendations`` now, all or nothing (a small selection)."""
    _require_may_record(user)
    services.citations_validate([citation])
    params = assessment_params(fields=fields, citation=citation)
    return [_record_for(recommendation, params, user) for recommendation in recommendations]


def assessment_queue(*, ids, fields: dict, citation: services.CitationInput, user) -> Job:
    """Queue the assessment of the recommendations with ``ids`` as a background job."""
    _require_may_record(user)
    services.citations_validate([citation])
    ids = sorted(int(pk) for pk in ids)
    params = {**assessment_params(fields=fields, citation=citation), "ids": ids}
    status = ImplementationStatus(fields["status"]).label
    return job_queue(
        kind=Job.Kind.ASSESS,
        user=user,
        total=len(ids),
        params=params,
        description=f"“{status}” as of {fields['as_of']:%d %B %Y} for {len(ids)} recommendations",
    )


@handler(Job.Kind.ASSESS)
def run_assessment_job(job: Job) -> str:
    user = job.started_by
    if user is None:
        raise PermissionDenied("The account that queued this job no longer exists.")
    run_batches(
        job,
        job.params["ids"],
        load=lambda ids: Recommendation.objects.filter(pk__in=ids),
        act=lambda recommendation: _record_for(recommendation, job.params, user).pk,
    )
    return summary(job, "assessed (status updates recorded as drafts)", "recommendations")


def assessment_publish_queue(*, job: Job, user) -> Job:
    """Publish every status update a bulk assessment recorded, as one review job."""
    if job.kind != Job.Kind.ASSESS or job.state != Job.State.SUCCEEDED:
        raise PermissionDenied("Only a finished bulk assessment can be published at once.")
    ids = StatusUpdate.objects.filter(pk__in=job.changed_ids).values_list("pk", flat=True)
    return review_job_queue(
        kind=Job.Kind.PUBLISH_STATUS_UPDATES, ids=list(ids), user=user, description=f"The status updates of {job}"
    )
