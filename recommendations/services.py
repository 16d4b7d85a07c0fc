"""Every write the tracker makes goes through these functions: the admin, the API, the
management commands and the tests all call them, so each rule is written once.

Functions are named ``<entity>_<action>``, take keyword-only arguments, run ``full_clean()``
before saving and raise ``django.core.exceptions.ValidationError`` with field-keyed messages.
"""

import dataclasses
import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import (
    Actor,
    Citation,
    DatePrecision,
    Recommendation,
    SourceDocument,
    StatusUpdate,
)


@dataclasses.dataclass(frozen=True)
class CitationInput:
    """A quote to attach as evidence: which document, the verbatim words, and where they are."""

    document: SourceDocument
    quote: str
    location: str = ""


def citation_create(
    *,
    document: SourceDocument,
    quote: str,
    location: str = "",
    recommendation: Recommendation | None = None,
    status_update: StatusUpdate | None = None,
) -> Citation:
    """Attach a verbatim quote from ``document`` to a recommendation or a status update.
    Refuses a quote that does not occur in the document's text."""
    citation = Citation(
        document=document,
        quote=quote,
        location=location,
        recommendation=recommendation,
        status_update=status_update,
    )
    citation.full_clean()
    citation.save()
    return citation


def citations_validate(citations: Sequence[CitationInput]) -> None:
    """Check a list of citations before anything is written, reporting every bad one at once."""
    if not citations:
        raise ValidationError({"citations": "A status update needs at least one citation as evidence."})
    errors = []
    for number, citation in enumerate(citations, start=1):
        if not citation.document.contains_quote(citation.quote):
            prefix = f"Citation {number}: " if len(citations) > 1 else ""
            errors.append(
                f"{prefix}This quote does not occur in the document “{citation.document.external_id}”. "
                "Copy it verbatim from the document's text (line breaks and spacing may differ)."
            )
    if errors:
        raise ValidationError({"citations": errors})


@transaction.atomic
def status_update_record(
    *,
    recommendation: Recommendation,
    status: str,
    as_of: datetime.date,
    summary: str,
    citations: Sequence[CitationInput],
    as_of_precision: str = DatePrecision.DAY,
    assessor_kind: str = StatusUpdate.AssessorKind.STAFF,
    assessed_by: Actor | None = None,
    recorded_by=None,
) -> StatusUpdate:
    """Record a dated assessment of ``recommendation`` with its evidence (at least one citation).

    The recommendation's current status becomes this one only if no other assessment is dated
    later: recording an older assessment afterwards adds to the history without changing it.
    """
    citations_validate(citations)
    status_update = StatusUpdate(
        recommendation=recommendation,
        status=status,
        as_of=as_of,
        as_of_precision=as_of_precision,
        summary=summary,
        assessor_kind=assessor_kind,
        assessed_by=assessed_by,
        recorded_by=recorded_by,
    )
    status_update.full_clean()
    status_update.save()
    for citation in citations:
        citation_create(
            document=citation.document,
            quote=citation.quote,
            location=citation.location,
            status_update=status_update,
        )
    recommendation_refresh_current_status(recommendation=recommendation)
    return status_update


@transaction.atomic
def status_update_change(*, status_update: StatusUpdate, **fields) -> StatusUpdate:
    """Change an existing assessment's fields and bring the current status back in step."""
    for name, value in fields.items():
        setattr(status_update, name, value)
    status_update.full_clean()
    status_update.save()
    recommendation_refresh_current_status(recommendation=status_update.recommendation)
    return status_update


@transaction.atomic
def status_update_delete(*, status_update: StatusUpdate) -> None:
    """Remove an assessment (and its citations) and bring the current status back in step."""
    recommendation = status_update.recommendation
    status_update.delete()
    recommendation_refresh_current_status(recommendation=recommendation)


def recommendation_refresh_current_status(*, recommendation: Recommendation) -> None:
    """Copy the latest assessment (latest ``as_of``; the last recorded among equal dates) into
    the recommendation's denormalised ``current_status`` fields."""
    latest = StatusUpdate.objects.filter(recommendation=recommendation).latest_first().first()
    status, as_of = (latest.status, latest.as_of) if latest else ("", None)
    if (recommendation.current_status, recommendation.current_status_as_of) == (status, as_of):
        return
    # A targeted UPDATE: it must not write back (and so overwrite) other fields of a stale instance.
    Recommendation.objects.filter(pk=recommendation.pk).update(
        current_status=status, current_status_as_of=as_of, updated_at=timezone.now()
    )
    recommendation.current_status, recommendation.current_status_as_of = status, as_of


def source_document_create(**fields) -> SourceDocument:
    """Store a source document; refuses a duplicate ``external_id`` or an already-stored text."""
    document = SourceDocument(**fields)
    document.full_clean()
    document.save()
    return document
