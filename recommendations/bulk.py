"""The services' writes for thousands of rows at once (the importers, the jobs): the same checks,
the same compare-and-set on versions, the same publish rule and the same history as
``services.py``, in a few queries per batch instead of several per row."""

import dataclasses
import datetime
from collections.abc import Collection, Mapping, Sequence

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import status_periods
from .models import (
    MAX_CITATIONS_PER_STATUS_UPDATE,
    Citation,
    Recommendation,
    ReviewState,
    SourceDocument,
    StatusUpdate,
    Theme,
)
from .permissions import PUBLISH_RECOMMENDATION
from .services import CitationInput, ConcurrentEditError, _require, _require_may_edit
from .stats_cache import published_data_changed

BULK_BATCH = 500
# Compare-and-set conditions per UPDATE: each is (id = ? AND version = ?).
CLAIM_BATCH = 200


def _claim_versions(model, expected: dict[int, int]) -> None:
    """``_claim_version`` for many rows: ``UPDATE … SET version = version + 1 WHERE (id = a AND
    version = n) OR …`` per batch. If any row's version moved since it was read, raises
    ``ConcurrentEditError`` for it (the caller's transaction then rolls everything back)."""
    ids = list(expected)
    for start in range(0, len(ids), CLAIM_BATCH):
        batch = ids[start : start + CLAIM_BATCH]
        condition = Q()
        for pk in batch:
            condition |= Q(pk=pk, version=expected[pk])
        stale = list(model.objects.filter(pk__in=batch).exclude(condition).values_list("pk", "version"))
        claimed = 0 if stale else model.objects.filter(condition).update(version=F("version") + 1)
        if stale or claimed != len(batch):
            pk, current = stale[0] if stale else (batch[0], None)
            raise ConcurrentEditError(model.objects.filter(pk=pk).first() or model(pk=pk), expected[pk], current)


def foreign_keys(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.many_to_one]


def _bulk_validate(instances, labels, exclude=()):
    """``full_clean`` of each instance; the first error names the instance's label. Uniqueness and
    the foreign keys' targets are left to the database's constraints (checking them here would cost
    a query per row and per foreign key)."""
    for instance, label in zip(instances, labels, strict=True):
        try:
            instance.full_clean(
                exclude=[*exclude, *foreign_keys(type(instance))], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items())
            raise ValidationError(f"{label}: {messages}") from None


def recommendations_check_publish(*, user) -> bool:
    """The publish rule for new rows (``recommendation_create(publish=True)``) checked once for a
    batch: only a reviewer publishes, and publishing rows one wrote oneself is self-review, allowed
    only with ``ALLOW_SELF_REVIEW``. Returns whether the rows will be marked self-reviewed."""
    _require(user, PUBLISH_RECOMMENDATION, "Only a reviewer can publish recommendations.")
    if user is None:
        return False
    if not settings.ALLOW_SELF_REVIEW:
        raise PermissionDenied(
            "You are adding these recommendations, so another reviewer must confirm that their evidence supports "
            "them and publish them: import them as drafts. (A single-person organisation can allow self-review with "
            "the setting ALLOW_SELF_REVIEW; self-reviewed rows are marked as such.)"
        )
    return True


def _citations_bulk_create(pairs, *, user, confirm: bool, process: str) -> list[Citation]:
    """Citations for many recommendations or status updates (``pairs``: (the one cited for, a
    ``CitationInput``)): each quote is located in its document (at its given offsets when right);
    documents replaced by a newer version are refused, as in ``Citation.clean``."""
    documents = {citation.document.pk: citation.document for _, citation in pairs}
    replaced = SourceDocument.objects.filter(replaces__in=list(documents)).values_list("replaces", "external_id")
    for document_id, newer in replaced:
        raise ValidationError(
            {
                "document": f"“{documents[document_id].external_id}” has been replaced by a corrected version, "
                f"“{newer}”: cite that one."
            }
        )
    now = timezone.now()
    if confirm and user is None and not process:
        process = "a command-line operator"
    rows = []
    for owner, citation in pairs:
        document = citation.document
        passage = document.find_quote(citation.quote, start=citation.quote_start, end=citation.quote_end)
        if passage is None:
            raise ValidationError({"quote": f"{citation.location}: {document.missing_quote_message(citation.quote)}"})
        is_update = isinstance(owner, StatusUpdate)
        rows.append(
            Citation(
                document=document,
                quote=citation.quote,
                location=citation.location,
                recommendation_id=None if is_update else owner.pk,
                status_update_id=owner.pk if is_update else None,
                quote_start=passage.start,
                quote_end=passage.end,
                confirmed_by=user if confirm else None,
                confirmed_at=now if confirm else None,
                confirmed_by_process=process if confirm and user is None else "",
            )
        )
    created = Citation.objects.bulk_create(rows, batch_size=BULK_BATCH)
    Citation.history.bulk_history_create(created, default_user=user, batch_size=BULK_BATCH)
    return created


# The many-to-many fields a recommendation's history records (models.Recommendation.history).
HISTORY_LINKS = ("themes", "legal_provisions", "sdgs", "affected_groups", "also_made_by", "source_themes")


def _recommendations_history(recommendations, *, update: bool, user, reason: str, created_links=None) -> None:
    """What ``save()`` records, for rows written in bulk (which sends no signals): a version of
    each recommendation with the related rows (themes, SDGs, …) it has now. ``created_links``
    ({name: [(link id, recommendation id, other id)]}): new rows' links as just written, which
    then need not be read back; without it the links are read (a row changed has older ones)."""
    ids = [recommendation.pk for recommendation in recommendations]
    versions = Recommendation.history.bulk_history_create(
        recommendations, update=update, default_user=user, default_change_reason=reason, batch_size=BULK_BATCH
    )
    for name in HISTORY_LINKS:
        target = f"{Recommendation._meta.get_field(name).m2m_reverse_field_name()}_id"
        if created_links is not None:
            found = created_links.get(name, [])
        else:
            through = getattr(Recommendation, name).through
            found = []
            for start in range(0, len(ids), BULK_BATCH):
                batch = through.objects.filter(recommendation_id__in=ids[start : start + BULK_BATCH]).order_by("id")
                found.extend(batch.values_list("id", "recommendation_id", target))
        links: dict[int, list] = {}
        for link in found:
            links.setdefault(link[1], []).append(link)
        if not links:
            continue
        link_history = apps.get_model("recommendations", f"HistoricalRecommendation_{name}")
        link_history.objects.bulk_create(
            [
                link_history(history=version, id=link_id, recommendation_id=recommendation_id, **{target: other_id})
                for version in versions or []
                for link_id, recommendation_id, other_id in links.get(version.id, [])
            ],
            batch_size=2000,
        )


def _unlink_themes(pairs) -> None:
    """Remove (recommendation, theme) pairs, one DELETE per batch."""
    through = Recommendation.themes.through
    pairs = list(pairs)
    for start in range(0, len(pairs), CLAIM_BATCH):
        condition = Q()
        for recommendation, theme in pairs[start : start + CLAIM_BATCH]:
            condition |= Q(recommendation_id=recommendation.pk, theme_id=theme.pk)
        through.objects.filter(condition).delete()


def _link(name: str, pairs) -> list[tuple[int, int, int]]:
    """Add (recommendation, related row) pairs to the many-to-many field ``name`` in bulk; returns
    the links written, as (link id, recommendation id, related row's id)."""
    through = getattr(Recommendation, name).through
    target = f"{Recommendation._meta.get_field(name).m2m_reverse_field_name()}_id"
    created = through.objects.bulk_create(
        [through(recommendation_id=recommendation.pk, **{target: other.pk}) for recommendation, other in pairs],
        batch_size=2000,
    )
    return [(link.pk, link.recommendation_id, getattr(link, target)) for link in created]


@transaction.atomic
def recommendations_bulk_create(
    *,
    recommendations: Sequence[Recommendation],
    themes: Sequence[Sequence[Theme]],
    citations: Sequence[Sequence[CitationInput]] = (),
    labels: Sequence[str] = (),
    links: Sequence[Mapping[str, Sequence]] = (),
    user=None,
    publish: bool = False,
    process: str = "",
    reason: str = "",
    checked: bool = False,
) -> None:
    """``recommendation_create`` for many rows: each is checked, saved as a draft (or published,
    under ``recommendations_check_publish``'s rule, its citations confirmed), with its themes, its
    citations and its first version in history. ``labels`` name the rows in error messages
    ("row 12"); ``reason`` is the history's change reason. ``checked``: the caller has already run
    ``full_clean`` on each recommendation as given (the importers' plan does, so that a preview
    names the bad row), so it is not run twice."""
    self_reviewed = recommendations_check_publish(user=user) if publish else False
    labels = list(labels) or [f"Recommendation {number}" for number in range(1, len(recommendations) + 1)]
    now = timezone.now()
    for recommendation in recommendations:
        recommendation.created_by = user
        if publish:
            recommendation.review_state = ReviewState.PUBLISHED
            recommendation.published_at, recommendation.published_by = now, user
            recommendation.self_reviewed = self_reviewed
    if not checked:
        _bulk_validate(recommendations, labels)
    Recommendation.objects.bulk_create(recommendations, batch_size=BULK_BATCH)
    created_links = {
        "themes": _link(
            "themes",
            [
                (recommendation, theme)
                for recommendation, own in zip(recommendations, themes, strict=True)
                for theme in own
            ],
        )
    }
    # Other related rows per recommendation ({"also_made_by": [...], "sdgs": [...], …}).
    for name in sorted({name for own in links for name in own}):
        created_links[name] = _link(
            name,
            [
                (recommendation, other)
                for recommendation, own in zip(recommendations, links, strict=True)
                for other in own.get(name, ())
            ],
        )
    pairs = [
        (recommendation, citation)
        for recommendation, own in zip(recommendations, citations or [()] * len(recommendations), strict=True)
        for citation in own
    ]
    if pairs:
        _citations_bulk_create(pairs, user=user, confirm=publish, process=process)
    _recommendations_history(recommendations, update=False, user=user, reason=reason, created_links=created_links)
    published_data_changed()


@dataclasses.dataclass
class BulkChange:
    """One recommendation to change in ``recommendations_bulk_change``: the instance with its new
    values set, the version it had when read, and what else it gets."""

    recommendation: Recommendation
    expected_version: int
    fields: Collection[str] = ()
    add_themes: Sequence[Theme] = ()
    remove_themes: Sequence[Theme] = ()  # a theme mapping no longer gives them (theme_mapping.themes_remap)
    add_citations: Sequence[CitationInput] = ()
    add_links: Mapping[str, Sequence] = dataclasses.field(default_factory=dict)  # {"sdgs": [...], …}
    label: str = ""


@transaction.atomic
def recommendations_bulk_change(
    *, changes: Sequence[BulkChange], user=None, reason: str = "", checked: bool = False
) -> None:
    """``recommendation_change`` for many rows: published rows only by someone who may publish,
    compare-and-set on every version (``ConcurrentEditError`` if any row changed since it was read;
    nothing is written then), each row checked, a new version in history. ``checked``: the caller
    has already run ``full_clean`` on each recommendation with its new values (as
    ``recommendations_bulk_create``'s)."""
    for change in changes:
        _require_may_edit(user, change.recommendation, PUBLISH_RECOMMENDATION)
    _claim_versions(Recommendation, {change.recommendation.pk: change.expected_version for change in changes})
    now = timezone.now()
    recommendations = [change.recommendation for change in changes]
    for change in changes:
        change.recommendation.version = change.expected_version + 1
        # Also when only themes or citations were added: updated_at is how the API says what changed.
        change.recommendation.updated_at = now
    if not checked:
        _bulk_validate(recommendations, [change.label or str(change.recommendation) for change in changes])
    fields = sorted({field for change in changes for field in change.fields} | {"updated_at"})
    if recommendations:
        Recommendation.objects.bulk_update(recommendations, fields, batch_size=BULK_BATCH)
    _link("themes", [(change.recommendation, theme) for change in changes for theme in change.add_themes])
    _unlink_themes([(change.recommendation, theme) for change in changes for theme in change.remove_themes])
    for name in sorted({name for change in changes for name in change.add_links}):
        _link(name, [(change.recommendation, other) for change in changes for other in change.add_links.get(name, ())])
    pairs = [(change.recommendation, citation) for change in changes for citation in change.add_citations]
    if pairs:
        _citations_bulk_create(pairs, user=user, confirm=False, process="")
    _recommendations_history(recommendations, update=True, user=user, reason=reason)
    if "made_on" in fields:
        status_periods.refresh([recommendation.pk for recommendation in recommendations])  # their sort key
    published_data_changed()


@dataclasses.dataclass
class NewStatusUpdate:
    """One assessment to record in ``status_updates_bulk_record`` (``status_update_record``'s
    arguments for one row)."""

    recommendation: Recommendation
    status: str
    as_of: datetime.date
    summary: str
    citations: Sequence[CitationInput]
    assessor_kind: str = StatusUpdate.AssessorKind.STAFF
    assessed_by: object = None  # an Actor
    label: str = ""


@transaction.atomic
def status_updates_bulk_record(*, updates: Sequence[NewStatusUpdate], recorded_by=None) -> list[StatusUpdate]:
    """``status_update_record`` for many assessments, as drafts (a reviewer publishes them; a draft
    leaves the current status as it is): each checked, with one to ``MAX_CITATIONS_PER_STATUS_UPDATE``
    citations whose quotes are in their documents, and its first version in history."""
    rows = []
    for update in updates:
        label = update.label or str(update.recommendation)
        if not update.citations:
            raise ValidationError(f"{label}: a status update needs at least one citation as evidence.")
        if len(update.citations) > MAX_CITATIONS_PER_STATUS_UPDATE:
            raise ValidationError(f"{label}: a status update cites at most {MAX_CITATIONS_PER_STATUS_UPDATE} quotes.")
        rows.append(
            StatusUpdate(
                recommendation=update.recommendation,
                status=update.status,
                as_of=update.as_of,
                summary=update.summary,
                assessor_kind=update.assessor_kind,
                assessed_by=update.assessed_by,
                recorded_by=recorded_by,
            )
        )
    _bulk_validate(rows, [update.label or str(update.recommendation) for update in updates])
    StatusUpdate.objects.bulk_create(rows, batch_size=BULK_BATCH)
    StatusUpdate.history.bulk_history_create(rows, default_user=recorded_by, batch_size=BULK_BATCH)
    pairs = [(row, citation) for row, update in zip(rows, updates, strict=True) for citation in update.citations]
    _citations_bulk_create(pairs, user=recorded_by, confirm=False, process="")
    return rows
