"""Every write the tracker makes goes through these functions: the admin, the API, the
management commands and the tests all call them, so each rule is written once.

Functions are named ``<entity>_<action>``, take keyword-only arguments, run ``full_clean()``
before saving and raise ``django.core.exceptions.ValidationError`` with field-keyed messages,
``PermissionDenied`` when the acting user may not do it, and ``ConcurrentEditError`` when the
row changed since the caller read it.

``user`` is the person acting. ``None`` means a trusted operator at the command line
(``load_seeds``, ``import_upr``): permissions are checked only for a real user.
"""

import dataclasses
import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import (
    Actor,
    Citation,
    DateBasis,
    DatePrecision,
    LegalProvision,
    Recommendation,
    RecommendationLink,
    ReviewState,
    SourceDocument,
    StatusUpdate,
    Theme,
)

# The admin and the importers read the permission names from here too, with the rules they guard.
from .permissions import ARCHIVE_RECOMMENDATION, PUBLISH_RECOMMENDATION, PUBLISH_STATUS_UPDATE


class ConcurrentEditError(Exception):
    """The row was changed by someone else after the caller read it; nothing was saved."""

    def __init__(self, instance, expected_version, current_version):
        self.instance, self.expected_version, self.current_version = instance, expected_version, current_version
        what = instance._meta.verbose_name
        super().__init__(
            f"Someone else changed this {what} after you opened it (you edited version {expected_version}; "
            f"it is now at version {current_version}). Your changes were not saved: reload it to see "
            "theirs, then make your changes again."
        )


@dataclasses.dataclass(frozen=True)
class CitationInput:
    """A quote to attach as evidence: which document, the verbatim words, and where they are."""

    document: SourceDocument
    quote: str
    location: str = ""


def _require(user, permission, message):
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(message)


def _require_may_edit(user, instance, publish_permission):
    """Published rows are public: only someone who may publish can change or remove them."""
    if instance.is_published:
        _require(
            user,
            publish_permission,
            f"This {instance._meta.verbose_name} is published: only a reviewer can change or remove it.",
        )


def _claim_version(instance, expected_version):
    """Compare-and-set on the version number: ``UPDATE … SET version = n + 1 WHERE version = n``.

    Works the same on PostgreSQL and SQLite (where ``select_for_update`` does nothing). Inside the
    caller's transaction the UPDATE also holds the row, so a concurrent claim of the same version
    waits for this one and then finds the version gone.
    """
    model = type(instance)
    claimed = model.objects.filter(pk=instance.pk, version=expected_version).update(version=expected_version + 1)
    if not claimed:
        current = model.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise ConcurrentEditError(instance, expected_version, current)
    instance.version = expected_version + 1


def _save(instance, user):
    instance._history_user = user  # who made the change, for the history tables
    instance.save()


def citation_create(
    *,
    document: SourceDocument,
    quote: str,
    location: str = "",
    recommendation: Recommendation | None = None,
    status_update: StatusUpdate | None = None,
    user=None,
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
    _save(citation, user)
    return citation


def citations_validate(citations: Sequence[CitationInput]) -> None:
    """Check a list of citations before anything is written, reporting every bad one at once."""
    if not citations:
        raise ValidationError({"citations": "A status update needs at least one citation as evidence."})
    errors = []
    for number, citation in enumerate(citations, start=1):
        if not citation.document.contains_quote(citation.quote):
            prefix = f"Citation {number}: " if len(citations) > 1 else ""
            errors.append(f"{prefix}{citation.document.quote_refusal()}")
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
    as_of_basis: str = DateBasis.STATED,
    date_note: str = "",
    assessor_kind: str = StatusUpdate.AssessorKind.STAFF,
    assessed_by: Actor | None = None,
    recorded_by=None,
    publish: bool = False,
) -> StatusUpdate:
    """Record a dated assessment of ``recommendation`` with its evidence (at least one citation).

    It starts as a draft, public only once a reviewer publishes it (``publish=True`` does that at
    once, for someone allowed to). The recommendation's current status follows the latest
    *published* assessment: recording an older one afterwards adds to the history without
    changing it.
    """
    if publish:
        _require(recorded_by, PUBLISH_STATUS_UPDATE, "Only a reviewer can publish a status update.")
    citations_validate(citations)
    status_update = StatusUpdate(
        recommendation=recommendation,
        status=status,
        as_of=as_of,
        as_of_precision=as_of_precision,
        as_of_basis=as_of_basis,
        date_note=date_note,
        summary=summary,
        assessor_kind=assessor_kind,
        assessed_by=assessed_by,
        recorded_by=recorded_by,
    )
    status_update.full_clean()
    _save(status_update, recorded_by)
    for citation in citations:
        citation_create(
            document=citation.document,
            quote=citation.quote,
            location=citation.location,
            status_update=status_update,
            user=recorded_by,
        )
    if publish:
        status_update_publish(status_update=status_update, user=recorded_by)
    return status_update


@transaction.atomic
def status_update_change(*, status_update: StatusUpdate, expected_version: int, user=None, **fields) -> StatusUpdate:
    """Change an assessment. Refused if someone changed it since ``expected_version`` was read,
    or if it is published and ``user`` may not publish. The current status follows."""
    _require_may_edit(user, status_update, PUBLISH_STATUS_UPDATE)
    _claim_version(status_update, expected_version)
    for name, value in fields.items():
        setattr(status_update, name, value)
    status_update.full_clean()
    _save(status_update, user)
    recommendation_refresh_current_status(recommendation=status_update.recommendation)
    return status_update


@transaction.atomic
def status_update_delete(*, status_update: StatusUpdate, user=None) -> None:
    """Remove an assessment (and its citations; the history tables keep them) and bring the
    current status back in step."""
    _require_may_edit(user, status_update, PUBLISH_STATUS_UPDATE)
    recommendation = status_update.recommendation
    status_update._history_user = user
    status_update.delete()
    recommendation_refresh_current_status(recommendation=recommendation)


def _set_review_state(instance, *, state, user):
    if instance.review_state == state:
        return False
    _claim_version(instance, instance.version)
    instance.review_state = state
    if state == ReviewState.PUBLISHED:
        instance.published_at, instance.published_by = timezone.now(), user
    else:
        instance.published_at, instance.published_by = None, None
    _save(instance, user)
    return True


@transaction.atomic
def status_update_publish(*, status_update: StatusUpdate, user=None) -> bool:
    """Make an assessment public (recording who published it and when); returns whether it changed."""
    _require(user, PUBLISH_STATUS_UPDATE, "Only a reviewer can publish a status update.")
    changed = _set_review_state(status_update, state=ReviewState.PUBLISHED, user=user)
    recommendation_refresh_current_status(recommendation=status_update.recommendation)
    return changed


@transaction.atomic
def status_update_unpublish(*, status_update: StatusUpdate, user=None) -> bool:
    """Take an assessment back to draft, e.g. one published by mistake; returns whether it changed."""
    _require(user, PUBLISH_STATUS_UPDATE, "Only a reviewer can withdraw a published status update.")
    changed = _set_review_state(status_update, state=ReviewState.DRAFT, user=user)
    recommendation_refresh_current_status(recommendation=status_update.recommendation)
    return changed


def recommendation_refresh_current_status(*, recommendation: Recommendation) -> None:
    """Copy the latest published assessment (latest ``as_of``; the last recorded among equal dates)
    into the recommendation's denormalised ``current_status`` fields."""
    latest = StatusUpdate.objects.filter(recommendation=recommendation).published().latest_first().first()
    status, as_of = (latest.status, latest.as_of) if latest else ("", None)
    if (recommendation.current_status, recommendation.current_status_as_of) == (status, as_of):
        return
    # A targeted UPDATE: derived fields only, so it cannot overwrite (or version-bump) a colleague's edit.
    Recommendation.objects.filter(pk=recommendation.pk).update(
        current_status=status, current_status_as_of=as_of, updated_at=timezone.now()
    )
    recommendation.current_status, recommendation.current_status_as_of = status, as_of


@transaction.atomic
def recommendation_create(
    *,
    user=None,
    themes: Iterable[Theme] = (),
    legal_provisions: Iterable[LegalProvision] = (),
    publish: bool = False,
    **fields,
) -> Recommendation:
    """Add a recommendation or promise; it starts as a draft unless ``publish`` (for a reviewer)."""
    if publish:
        _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can publish a recommendation.")
    recommendation = Recommendation(**fields)
    recommendation.full_clean()
    _save(recommendation, user)
    recommendation.themes.set(themes)
    recommendation.legal_provisions.set(legal_provisions)
    if publish:
        recommendation_publish(recommendation=recommendation, user=user)
    return recommendation


@transaction.atomic
def recommendation_change(
    *,
    recommendation: Recommendation,
    expected_version: int,
    user=None,
    themes: Iterable[Theme] | None = None,
    legal_provisions: Iterable[LegalProvision] | None = None,
    **fields,
) -> Recommendation:
    """Change a recommendation. Refused if someone changed it since ``expected_version`` was
    read, or if it is published and ``user`` may not publish."""
    _require_may_edit(user, recommendation, PUBLISH_RECOMMENDATION)
    _claim_version(recommendation, expected_version)
    for name, value in fields.items():
        setattr(recommendation, name, value)
    recommendation.full_clean()
    _save(recommendation, user)
    if themes is not None:
        recommendation.themes.set(themes)
    if legal_provisions is not None:
        recommendation.legal_provisions.set(legal_provisions)
    return recommendation


@transaction.atomic
def recommendation_publish(*, recommendation: Recommendation, user=None) -> bool:
    """Make a recommendation public (recording who published it and when); returns whether it changed."""
    _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can publish a recommendation.")
    return _set_review_state(recommendation, state=ReviewState.PUBLISHED, user=user)


@transaction.atomic
def recommendation_unpublish(*, recommendation: Recommendation, user=None) -> bool:
    """Take a recommendation back to draft; returns whether it changed."""
    _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can withdraw a published recommendation.")
    return _set_review_state(recommendation, state=ReviewState.DRAFT, user=user)


@transaction.atomic
def recommendation_archive(*, recommendation: Recommendation, user=None) -> bool:
    """Hide a recommendation without deleting it: its history and evidence are kept, and it can
    be restored. Recommendations are never deleted. Returns whether it changed."""
    _require(user, ARCHIVE_RECOMMENDATION, "Only a reviewer can archive a recommendation.")
    if recommendation.archived_at is not None:
        return False
    _claim_version(recommendation, recommendation.version)
    recommendation.archived_at, recommendation.archived_by = timezone.now(), user
    _save(recommendation, user)
    return True


@transaction.atomic
def recommendation_restore(*, recommendation: Recommendation, user=None) -> bool:
    """Bring an archived recommendation back; returns whether it changed."""
    _require(user, ARCHIVE_RECOMMENDATION, "Only a reviewer can restore an archived recommendation.")
    if recommendation.archived_at is None:
        return False
    _claim_version(recommendation, recommendation.version)
    recommendation.archived_at, recommendation.archived_by = None, None
    _save(recommendation, user)
    return True


def source_document_create(*, user=None, **fields) -> SourceDocument:
    """Store a source document; refuses a duplicate ``external_id`` or an already-stored text."""
    document = SourceDocument(**fields)
    document.full_clean()
    _save(document, user)
    return document


# ── Reference data: the curated taxonomy and who is who ──────────────────────────────────


def theme_create(*, slug: str, name: str, description: str = "", parent: Theme | None = None, user=None) -> Theme:
    """Add a theme to the curated taxonomy (optionally under a parent theme)."""
    theme = Theme(slug=slug, name=name, description=description, parent=parent)
    theme.full_clean()
    _save(theme, user)
    return theme


def actor_create(
    *,
    slug: str,
    name: str,
    kind: str,
    country: str = "",
    part_of: Actor | None = None,
    description: str = "",
    user=None,
) -> Actor:
    """Add an actor: who recommends, promises, is addressed or assesses."""
    actor = Actor(slug=slug, name=name, kind=kind, country=country, part_of=part_of, description=description)
    actor.full_clean()
    _save(actor, user)
    return actor


def legal_provision_create(
    *, slug: str, instrument: str, country: str = "", article: str = "", title: str = "", user=None
) -> LegalProvision:
    """Add an article of a legal instrument (or a whole instrument, without an article)."""
    provision = LegalProvision(slug=slug, country=country, instrument=instrument, article=article, title=title)
    provision.full_clean()
    _save(provision, user)
    return provision


def recommendation_link_create(
    *,
    from_recommendation: Recommendation,
    to_recommendation: Recommendation,
    relation: str,
    note: str = "",
    user=None,
) -> RecommendationLink:
    """Link two recommendations (the same ask by another actor, a follow-up, a promise answering an ask)."""
    link = RecommendationLink(
        from_recommendation=from_recommendation, to_recommendation=to_recommendation, relation=relation, note=note
    )
    link.full_clean()
    _save(link, user)
    return link
