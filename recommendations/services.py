"""Every write the tracker makes goes through these functions: the admin, the API, the
management commands and the tests all call them, so each rule is written once.

Functions are named ``<entity>_<action>``, take keyword-only arguments, run ``full_clean()``
before saving and raise ``django.core.exceptions.ValidationError`` with field-keyed messages,
``PermissionDenied`` when the acting user may not do it, and ``ConcurrentEditError`` when the
row changed since the caller read it.

``user`` is the person acting. ``None`` means a trusted operator at the command line
(``load_seeds``, ``import_recommendations``): permissions are checked only for a real user.

The same writes for thousands of rows at once (the importers, the jobs) are in ``bulk.py``, built
on the rules here.
"""

import dataclasses
import datetime
from collections.abc import Collection, Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import status_periods
from .models import (
    MAX_CITATIONS_PER_STATUS_UPDATE,
    Actor,
    AffectedGroup,
    Citation,
    DateBasis,
    DatePrecision,
    InternalNote,
    LegalProvision,
    Recommendation,
    RecommendationLink,
    ReviewState,
    SourceDocument,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)

# The admin and the importers read the permission names from here too, with the rules they guard.
from .permissions import ARCHIVE_RECOMMENDATION, PUBLISH_RECOMMENDATION, PUBLISH_STATUS_UPDATE
from .stats_cache import published_data_changed


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
    """A quote to attach as evidence: which document, the verbatim words, and where they are.
    ``quote_start``/``quote_end`` are optional: where the caller knows the quote is (an importer
    citing a row); they are checked, and found by the matcher when absent or wrong."""

    document: SourceDocument
    quote: str
    location: str = ""
    quote_start: int | None = None
    quote_end: int | None = None


def _require(user, permission, message):
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(message)


def may_change(user, instance, publish_permission) -> bool:
    """Published rows are public: only someone who may publish can change or remove them."""
    return not instance.is_published or user is None or user.has_perm(publish_permission)


def _require_may_edit(user, instance, publish_permission):
    """Refuses what ``may_change`` does not allow."""
    if not may_change(user, instance, publish_permission):
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
    # Any saved row may change what the public's counts say (a status, a publish, a theme's name).
    published_data_changed()


def citation_create(
    *,
    document: SourceDocument,
    quote: str,
    location: str = "",
    recommendation: Recommendation | None = None,
    status_update: StatusUpdate | None = None,
    quote_start: int | None = None,
    quote_end: int | None = None,
    user=None,
) -> Citation:
    """Attach a verbatim quote from ``document`` to a recommendation or a status update, with its
    offsets in the text. Refuses a quote that does not occur in the document's text (naming the
    closest passage) and a document that has been replaced by a corrected version."""
    citation = Citation(
        document=document,
        quote=quote,
        location=location,
        recommendation=recommendation,
        status_update=status_update,
        quote_start=quote_start,
        quote_end=quote_end,
    )
    citation.full_clean()
    _save(citation, user)
    return citation


def citations_validate(citations: Sequence[CitationInput]) -> None:
    """Check a list of citations before anything is written, reporting every bad one at once."""
    if not citations:
        raise ValidationError({"citations": "A status update needs at least one citation as evidence."})
    if len(citations) > MAX_CITATIONS_PER_STATUS_UPDATE:
        most = MAX_CITATIONS_PER_STATUS_UPDATE
        raise ValidationError({"citations": f"A status update cites at most {most} quotes; cite the strongest."})
    errors = []
    for number, citation in enumerate(citations, start=1):
        if not citation.document.contains_quote(citation.quote):
            prefix = f"Citation {number}: " if len(citations) > 1 else ""
            errors.append(f"{prefix}{citation.document.missing_quote_message(citation.quote)}")
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
    process: str = "",
) -> StatusUpdate:
    """Record a dated assessment of ``recommendation`` with its evidence (at least one citation).

    It starts as a draft, public only once a reviewer publishes it. ``publish=True`` does that at
    once: the person recording it then confirms their own evidence, which is self-review (allowed
    only with ``ALLOW_SELF_REVIEW``), except for a command (``recorded_by=None``, which names
    itself in ``process``). The recommendation's current status follows the latest *published*
    assessment: recording an older one afterwards adds to the history without changing it.
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
            quote_start=citation.quote_start,
            quote_end=citation.quote_end,
            user=recorded_by,
        )
    if publish:
        status_update_publish(status_update=status_update, user=recorded_by, process=process)
    return status_update


@transaction.atomic
def status_update_change(*, status_update: StatusUpdate, expected_version: int, user=None, **fields) -> StatusUpdate:
    """Change an assessment. Refused if someone changed it since ``expected_version`` was read,
    or if it is published and ``user`` may not publish. The current status follows."""
    _require_may_edit(user, status_update, PUBLISH_STATUS_UPDATE)
    _claim_version(status_update, expected_version)
    moved_from = status_update.recommendation
    for name, value in fields.items():
        setattr(status_update, name, value)
    status_update.full_clean()
    _save(status_update, user)
    if moved_from.pk != status_update.recommendation_id:  # moved to another recommendation: both change
        recommendation_refresh_current_status(recommendation=moved_from)
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
    published_data_changed()
    recommendation_refresh_current_status(recommendation=recommendation)


def _set_review_state(instance, *, state, user, self_reviewed=False):
    if instance.review_state == state:
        return False
    _claim_version(instance, instance.version)
    instance.review_state = state
    instance.self_reviewed = self_reviewed
    if state == ReviewState.PUBLISHED:
        instance.published_at, instance.published_by = timezone.now(), user
        instance.sent_back_note, instance.sent_back_at, instance.sent_back_by = "", None, None
    else:
        instance.published_at, instance.published_by = None, None
    _save(instance, user)
    return True


# ── Review: publishing confirms the evidence; a reviewer may send a row back instead ─────────


def _check_not_own_work(instance, user):
    """The reviewer who confirms the evidence may not be the editor who wrote the row, unless the
    organisation allows it (``ALLOW_SELF_REVIEW``, for a single-person organisation); returns
    whether this is self-review."""
    author_id = instance.recorded_by_id if isinstance(instance, StatusUpdate) else instance.created_by_id
    if user is None or author_id is None or author_id != user.pk:
        return False
    if not settings.ALLOW_SELF_REVIEW:
        what = instance._meta.verbose_name
        raise PermissionDenied(
            f"You wrote this {what}, so another reviewer must confirm that its evidence supports it and publish "
            "it. (A single-person organisation can allow self-review with the setting ALLOW_SELF_REVIEW; "
            "self-reviewed rows are marked as such.)"
        )
    return True


def _citations_of(instance):
    field = "status_update" if isinstance(instance, StatusUpdate) else "recommendation"
    return list(Citation.objects.filter(**{field: instance}).order_by("id"))


def _confirm_citations(instance, *, user, process, citations_seen):
    """Record that ``user`` (or, at the command line, ``process``) confirmed that each citation of
    ``instance`` supports it. ``citations_seen``: the ids the reviewer was shown; if the evidence
    changed since, nothing is confirmed."""
    citations = _citations_of(instance)
    if citations_seen is not None and {c.pk for c in citations} != set(citations_seen):
        raise ValidationError(
            {
                "citations": f"The evidence of this {instance._meta.verbose_name} changed after you reviewed it "
                "(a citation was added or removed). Nothing was published: review it again."
            }
        )
    if user is None and not process:
        process = "a command-line operator"
    now = timezone.now()
    for citation in citations:
        citation.confirmed_by, citation.confirmed_at = user, now
        citation.confirmed_by_process = "" if user is not None else process
        _save(citation, user)


def _clear_confirmations(instance, user):
    for citation in _citations_of(instance):
        if citation.confirmed_at is not None:
            citation.confirmed_by, citation.confirmed_at, citation.confirmed_by_process = None, None, ""
            _save(citation, user)


def _publish(instance, *, user, process, citations_seen):
    if instance.is_published:
        return False
    self_reviewed = _check_not_own_work(instance, user)
    _confirm_citations(instance, user=user, process=process, citations_seen=citations_seen)
    return _set_review_state(instance, state=ReviewState.PUBLISHED, user=user, self_reviewed=self_reviewed)


def _unpublish(instance, *, user):
    changed = _set_review_state(instance, state=ReviewState.DRAFT, user=user)
    if changed:
        _clear_confirmations(instance, user)
    return changed


def _send_back(instance, *, user, note, citations):
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why, so that the editor knows what to fix."})
    own = {c.pk: c for c in _citations_of(instance)}
    unknown = [c.pk for c in citations if c.pk not in own]
    if unknown:
        raise ValidationError({"citations": f"Citation {unknown[0]} is not evidence of this row."})
    if citations:
        listed = "; ".join(f"citation {c.pk} “{c.quote[:80]}{'…' if len(c.quote) > 80 else ''}”" for c in citations)
        note = f"Does not support the claim: {listed}. {note}"
    if instance.is_published:
        _unpublish(instance, user=user)
    else:
        _claim_version(instance, instance.version)
    instance.sent_back_note, instance.sent_back_at, instance.sent_back_by = note, timezone.now(), user
    _save(instance, user)


@transaction.atomic
def status_update_publish(
    *, status_update: StatusUpdate, user=None, citations_seen: Collection[int] | None = None, process: str = ""
) -> bool:
    """Make an assessment public, the reviewer confirming that each of its citations supports it
    (``confirmed_by``/``confirmed_at`` on each). Refused for the editor who recorded it (unless
    ``ALLOW_SELF_REVIEW``) and, if ``citations_seen`` is given, when the evidence is no longer
    the one the reviewer saw. Returns whether it changed."""
    _require(user, PUBLISH_STATUS_UPDATE, "Only a reviewer can publish a status update.")
    changed = _publish(status_update, user=user, process=process, citations_seen=citations_seen)
    recommendation_refresh_current_status(recommendation=status_update.recommendation)
    return changed


@transaction.atomic
def status_update_unpublish(*, status_update: StatusUpdate, user=None) -> bool:
    """Take an assessment back to draft, e.g. one published by mistake; its confirmations are
    cleared (publishing it again confirms again). Returns whether it changed."""
    _require(user, PUBLISH_STATUS_UPDATE, "Only a reviewer can withdraw a published status update.")
    changed = _unpublish(status_update, user=user)
    recommendation_refresh_current_status(recommendation=status_update.recommendation)
    return changed


@transaction.atomic
def status_update_send_back(
    *, status_update: StatusUpdate, user=None, note: str, citations: Sequence[Citation] = ()
) -> None:
    """A reviewer finds that evidence does not support the assessment: the status update goes
    (back) to draft with ``note`` for the editor, naming the ``citations`` that do not support it."""
    _require(user, PUBLISH_STATUS_UPDATE, "Only a reviewer can send a status update back to its editor.")
    _send_back(status_update, user=user, note=note, citations=citations)
    recommendation_refresh_current_status(recommendation=status_update.recommendation)


def recommendation_refresh_current_status(*, recommendation: Recommendation) -> None:
    """Copy the latest published assessment (latest ``as_of``; the last recorded among equal dates)
    into the recommendation's denormalised ``current_status`` fields, and rebuild its status
    periods (``status_periods``: the status on every date) from its published history."""
    status_periods.refresh([recommendation.pk])
    latest = StatusUpdate.objects.filter(recommendation=recommendation).published().latest_first().first()
    status, as_of = (latest.status, latest.as_of) if latest else ("", None)
    if (recommendation.current_status, recommendation.current_status_as_of) == (status, as_of):
        return
    # A targeted UPDATE: derived fields only, so it cannot overwrite (or version-bump) a colleague's edit.
    Recommendation.objects.filter(pk=recommendation.pk).update(
        current_status=status, current_status_as_of=as_of, updated_at=timezone.now()
    )
    published_data_changed()
    recommendation.current_status, recommendation.current_status_as_of = status, as_of


@transaction.atomic
def recommendation_create(
    *,
    user=None,
    themes: Iterable[Theme] = (),
    legal_provisions: Iterable[LegalProvision] = (),
    sdgs: Iterable[SustainableDevelopmentGoal] = (),
    affected_groups: Iterable[AffectedGroup] = (),
    also_made_by: Iterable[Actor] = (),
    publish: bool = False,
    process: str = "",
    **fields,
) -> Recommendation:
    """Add a recommendation or promise; it starts as a draft unless ``publish`` (for a reviewer;
    self-review, as for ``status_update_record``)."""
    if publish:
        _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can publish a recommendation.")
    recommendation = Recommendation(**fields, created_by=user)
    recommendation.full_clean()
    _save(recommendation, user)
    recommendation.themes.set(themes)
    recommendation.legal_provisions.set(legal_provisions)
    recommendation.sdgs.set(sdgs)
    recommendation.affected_groups.set(affected_groups)
    recommendation.also_made_by.set(also_made_by)
    if publish:
        recommendation_publish(recommendation=recommendation, user=user, process=process)
    return recommendation


@transaction.atomic
def recommendation_change(
    *,
    recommendation: Recommendation,
    expected_version: int,
    user=None,
    themes: Iterable[Theme] | None = None,
    legal_provisions: Iterable[LegalProvision] | None = None,
    sdgs: Iterable[SustainableDevelopmentGoal] | None = None,
    affected_groups: Iterable[AffectedGroup] | None = None,
    also_made_by: Iterable[Actor] | None = None,
    **fields,
) -> Recommendation:
    """Change a recommendation. Refused if someone changed it since ``expected_version`` was
    read, or if it is published and ``user`` may not publish."""
    _require_may_edit(user, recommendation, PUBLISH_RECOMMENDATION)
    _claim_version(recommendation, expected_version)
    made_on = recommendation.made_on
    for name, value in fields.items():
        setattr(recommendation, name, value)
    recommendation.full_clean()
    _save(recommendation, user)
    if recommendation.made_on != made_on:
        status_periods.refresh([recommendation.pk])  # they carry its sort key
    if themes is not None:
        recommendation.themes.set(themes)
    if legal_provisions is not None:
        recommendation.legal_provisions.set(legal_provisions)
    if sdgs is not None:
        recommendation.sdgs.set(sdgs)
    if affected_groups is not None:
        recommendation.affected_groups.set(affected_groups)
    if also_made_by is not None:
        recommendation.also_made_by.set(also_made_by)
    return recommendation


@transaction.atomic
def recommendation_publish(
    *, recommendation: Recommendation, user=None, citations_seen: Collection[int] | None = None, process: str = ""
) -> bool:
    """Make a recommendation public, the reviewer confirming that each of its own citations
    supports it; the same rules as ``status_update_publish``. Returns whether it changed."""
    _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can publish a recommendation.")
    return _publish(recommendation, user=user, process=process, citations_seen=citations_seen)


@transaction.atomic
def recommendation_unpublish(*, recommendation: Recommendation, user=None) -> bool:
    """Take a recommendation back to draft (its confirmations cleared); returns whether it changed."""
    _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can withdraw a published recommendation.")
    return _unpublish(recommendation, user=user)


@transaction.atomic
def recommendation_send_back(
    *, recommendation: Recommendation, user=None, note: str, citations: Sequence[Citation] = ()
) -> None:
    """Send a recommendation (back) to draft with ``note`` for its editor, naming the ``citations``
    that do not support it."""
    _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can send a recommendation back to its editor.")
    _send_back(recommendation, user=user, note=note, citations=citations)


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


@transaction.atomic
def source_document_change(*, document: SourceDocument, user=None, **fields) -> SourceDocument:
    """Change a document's details. Its text can change only while nothing cites it
    (``CitedTextError`` otherwise): correct a cited text with ``source_document_correct``."""
    for name, value in fields.items():
        setattr(document, name, value)
    document.full_clean()
    _save(document, user)
    return document


def _next_version_external_id(document: SourceDocument) -> str:
    versions = document.versions()
    base = versions[0].external_id
    number = len(versions) + 1
    while SourceDocument.objects.filter(external_id=f"{base}@v{number}").exists():
        number += 1
    return f"{base}@v{number}"


@transaction.atomic
def source_document_correct(
    *, document: SourceDocument, text: str, correction_note: str, external_id: str = "", user=None
) -> SourceDocument:
    """Store a corrected text as a new version of ``document``: a new row with its own SHA-256,
    the same details, and ``replaces`` pointing at the old one. Existing citations stay with the
    text they quote (``citation_move`` moves one where its quote occurs in the new text).
    Only the newest version can be corrected."""
    newer = SourceDocument.objects.filter(replaces=document).first()
    if newer is not None:
        raise ValidationError(
            {"text": f"“{document.external_id}” was already corrected by “{newer.external_id}”: correct that one."}
        )
    if not correction_note.strip():
        raise ValidationError({"correction_note": "Say what the new version corrects."})
    copied = {
        field: getattr(document, field)
        for field in (
            "title",
            "publisher",
            "document_type",
            "url",
            "language",
            "published_on",
            "published_on_precision",
            "published_on_basis",
            "date_note",
        )
    }
    return source_document_create(
        user=user,
        external_id=external_id.strip() or _next_version_external_id(document),
        text=text,
        replaces=document,
        correction_note=correction_note.strip(),
        **copied,
    )


@transaction.atomic
def citation_move(*, citation: Citation, document: SourceDocument, user=None) -> Citation:
    """Move a citation to a newer version of its document, only if its quote occurs there (the
    new offsets are recorded). Its confirmation stays: the quoted words are the same. Citations of
    a published row are moved only by someone who may publish."""
    if citation.status_update_id:
        _require_may_edit(user, citation.status_update, PUBLISH_STATUS_UPDATE)
    else:
        _require_may_edit(user, citation.recommendation, PUBLISH_RECOMMENDATION)
    versions = [version.pk for version in citation.document.versions()]
    if document.pk not in versions[versions.index(citation.document_id) + 1 :]:
        raise ValidationError(
            {"document": f"“{document.external_id}” is not a newer version of “{citation.document.external_id}”."}
        )
    if not document.contains_quote(citation.quote):
        raise ValidationError({"quote": document.missing_quote_message(citation.quote)})
    citation.document = document
    citation.quote_start = citation.quote_end = None
    citation.full_clean()
    _save(citation, user)
    return citation


# ── Reference data: the curated taxonomy and who is who ──────────────────────────────────


def theme_create(*, slug: str, name: str, description: str = "", parent: Theme | None = None, user=None) -> Theme:
    """Add a theme to the curated taxonomy (optionally under a parent theme)."""
    theme = Theme(slug=slug, name=name, description=description, parent=parent)
    theme.full_clean()
    _save(theme, user)
    return theme


def affected_group_create(*, slug: str, name: str, user=None) -> AffectedGroup:
    """Add a group of persons to the vocabulary (UHRI's ship with the tracker)."""
    group = AffectedGroup(slug=slug, name=name)
    group.full_clean()
    _save(group, user)
    return group


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


def internal_note_add(
    *, text: str, user, recommendation: Recommendation | None = None, status_update: StatusUpdate | None = None
) -> InternalNote:
    """Add a staff-only note, in ``user``'s name, to a recommendation or a status update."""
    note = InternalNote(recommendation=recommendation, status_update=status_update, text=text.strip(), author=user)
    note.full_clean()
    note.save()
    return note
