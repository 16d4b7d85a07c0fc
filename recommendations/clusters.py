"""Clusters of repeated asks: recommendations that ask the same thing, across UPR cycles and
across recommending bodies, grouped so that a curator follows (and assesses) them together.

Writes (``cluster_create``, ``cluster_add``, ``cluster_remove``) follow the services' rules:
keyword-only, permissions checked for a real user, one transaction. ``cluster_suggestions``
lists, for one recommendation, the most similar others addressed to the same state — by text
(rapidfuzz; on PostgreSQL with the ``pg_trgm`` extension, trigram similarity first narrows the
candidates in the database), shared themes and shared legal provisions — so that the curator
confirms a cluster rather than searches for its members.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from rapidfuzz import fuzz, utils

from .models import Cluster, Recommendation
from .permissions import ADD_CLUSTER, CHANGE_RECOMMENDATION
from .stats_cache import published_data_changed

# How much each kind of likeness counts (they add up to 1).
TEXT_WEIGHT, THEME_WEIGHT, PROVISION_WEIGHT = 0.7, 0.2, 0.1
# On PostgreSQL with pg_trgm, the database keeps this many of the most similar texts for rapidfuzz.
TRIGRAM_CANDIDATES = 500


def _require(user, permission, message):
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(message)


@transaction.atomic
def cluster_create(*, name: str, description: str = "", members: Iterable[Recommendation] = (), user=None) -> Cluster:
    """A new cluster named ``name`` (unique), with ``members`` moved into it."""
    _require(user, ADD_CLUSTER, "You may not create clusters.")
    cluster = Cluster(name=(name or "").strip(), description=description, created_by=user)
    cluster.full_clean()
    cluster.save()
    cluster_add(cluster=cluster, recommendations=members, user=user)
    return cluster


@transaction.atomic
def cluster_add(*, cluster: Cluster, recommendations: Iterable[Recommendation], user=None) -> int:
    """Put ``recommendations`` in ``cluster`` (out of any other: a recommendation makes one ask).
    Grouping is curation around a row, not a change of what it says: it does not bump the
    row's version or need the row to be a draft. Returns how many moved."""
    _require(user, CHANGE_RECOMMENDATION, "You may not group recommendations into clusters.")
    ids = [r.pk for r in recommendations]
    moved = Recommendation.objects.filter(pk__in=ids).exclude(cluster=cluster)
    count = moved.update(cluster=cluster, updated_at=timezone.now())
    Cluster.objects.filter(pk=cluster.pk).update(updated_at=timezone.now())
    published_data_changed()  # the counts take a cluster filter
    return count


@transaction.atomic
def cluster_remove(*, recommendations: Iterable[Recommendation], user=None) -> int:
    """Take ``recommendations`` out of their cluster; returns how many were in one."""
    _require(user, CHANGE_RECOMMENDATION, "You may not change clusters.")
    ids = [r.pk for r in recommendations]
    count = Recommendation.objects.filter(pk__in=ids, cluster__isnull=False).update(
        cluster=None, updated_at=timezone.now()
    )
    published_data_changed()
    return count


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """A recommendation like the chosen one, and why."""

    recommendation: Recommendation
    score: float  # 0–1
    text_similarity: float  # 0–1
    shared_themes: int
    shared_provisions: int


def trigram_available() -> bool:
    """PostgreSQL with the pg_trgm extension installed (``CREATE EXTENSION pg_trgm``)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _overlap(mine: set, theirs: set) -> float:
    return len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0


def cluster_suggestions(*, recommendation: Recommendation, limit: int = 10, minimum: float = 0.3) -> list[Suggestion]:
    """The recommendations most like ``recommendation`` among those addressed to the same state
    (archived ones left out), best first, each scoring at least ``minimum``."""
    candidates = Recommendation.objects.active().filter(addressed_to=recommendation.addressed_to_id)
    candidates = candidates.exclude(pk=recommendation.pk)
    if trigram_available():
        from django.contrib.postgres.search import TrigramSimilarity

        candidates = candidates.annotate(trigram=TrigramSimilarity("text", recommendation.text)).order_by("-trigram")
        candidates = candidates[:TRIGRAM_CANDIDATES]
    texts = dict(candidates.values_list("pk", "text"))
    through_themes = Recommendation.themes.through.objects.filter(recommendation__in=[*texts, recommendation.pk])
    through_provisions = Recommendation.legal_provisions.through.objects.filter(
        recommendation__in=[*texts, recommendation.pk]
    )
    themes, provisions = defaultdict(set), defaultdict(set)
    for pk, theme in through_themes.values_list("recommendation_id", "theme_id"):
        themes[pk].add(theme)
    for pk, provision in through_provisions.values_list("recommendation_id", "legalprovision_id"):
        provisions[pk].add(provision)

    query = utils.default_process(recommendation.text)
    scored = []
    for pk, text in texts.items():
        other = utils.default_process(text)
        # Word sets (the same words in another order, or one text inside a longer one) and word
        # order both count: either alone rates a short text inside a long one too high or too low.
        text_similarity = (fuzz.token_set_ratio(query, other) + fuzz.token_sort_ratio(query, other)) / 200
        score = (
            TEXT_WEIGHT * text_similarity
            + THEME_WEIGHT * _overlap(themes[recommendation.pk], themes[pk])
            + PROVISION_WEIGHT * _overlap(provisions[recommendation.pk], provisions[pk])
        )
        if score >= minimum:
            scored.append((score, text_similarity, pk))
    scored.sort(key=lambda item: (-item[0], item[2]))
    best = scored[:limit]
    rows = Recommendation.objects.select_related("made_by", "cluster").in_bulk([pk for _, _, pk in best])
    return [
        Suggestion(
            recommendation=rows[pk],
            score=round(score, 3),
            text_similarity=round(text_similarity, 3),
            shared_themes=len(themes[recommendation.pk] & themes[pk]),
            shared_provisions=len(provisions[recommendation.pk] & provisions[pk]),
        )
        for score, text_similarity, pk in best
    ]
