"""Chainable reads shared by the admin, the API, the commands and the tests."""

import datetime

from django.db import models
from django.db.models import BooleanField, Case, CharField, Exists, F, FilteredRelation, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

# Newest assessment first: the latest `as_of` wins; among assessments of the same date the one
# recorded last wins, and the id settles rows recorded in the same instant.
LATEST_FIRST = ("-as_of", "-created_at", "-id")


# ── What the public sees, the one rule ─────────────────────────────────────────────────────
# Recommendations and status updates are public once a reviewer has published them (and, for a
# recommendation and its status updates, while it is not archived). Reference data — source
# documents, actors, themes, legal provisions — has no review of its own: it is public once a
# public row uses it (cites the document; is made by, addressed to or assessed by the actor; is
# tagged with the theme or the provision), and not before. So what an editor adds, or an import
# creates, appears when the reviewer publishes the first row that uses it, and disappears again
# when the last such row is withdrawn or archived. ``visible_to`` applies the rule to any
# queryset; every API list, detail, filter choice, count and export starts from it.


def sees_drafts(user):
    """Staff who may view recommendations see drafts (marked as such) and unused reference data;
    everyone else sees only what is public."""
    from .permissions import VIEW_RECOMMENDATION

    return bool(user is not None and user.is_authenticated and user.is_staff and user.has_perm(VIEW_RECOMMENDATION))


def visible_to(queryset, user):
    """What ``user`` (None: an anonymous client) may see of ``queryset``. Archived recommendations
    (and their status updates) are shown to nobody; staff see drafts; everyone else sees what
    ``public()`` of the queryset's model allows."""
    return visible_with(queryset, drafts=sees_drafts(user))


def visible_with(queryset, *, drafts):
    """``visible_to`` for a client who sees drafts (``drafts``) or not."""
    from .models import Recommendation, StatusUpdate

    if queryset.model is Recommendation:
        return queryset.active() if drafts else queryset.public()
    if queryset.model is StatusUpdate:
        return queryset.filter(recommendation__archived_at__isnull=True) if drafts else queryset.public()
    return queryset.all() if drafts else queryset.public()


def _public_recommendations():
    from .models import Recommendation

    return Recommendation.objects.public()


def _public_status_updates():
    from .models import StatusUpdate

    return StatusUpdate.objects.public()


class ClusterQuerySet(models.QuerySet):
    def public(self):
        """Clusters with at least one public member (members are shown as ``visible_to`` allows)."""
        return self.filter(pk__in=_public_recommendations().filter(cluster__isnull=False).values("cluster"))


class ReferenceQuerySet(models.QuerySet):
    """Reference data: public once a public row uses it (``used_publicly``), as the rule above says.

    ``links`` names the model's links to rows of its own kind (an actor's ``part_of``, a theme's
    ``parent``, a document's versions); ``with_links_shown`` says, per row, whether each may be
    shown, so that a public row never names a row that is not public itself."""

    links = ()

    def used_publicly(self):
        """The condition, as a Q over this model's rows."""
        raise NotImplementedError

    def public(self):
        return self.filter(self.used_publicly())

    def with_links_shown(self, user):
        """Annotate ``<link>_shown`` for each of ``links``: always for staff who see drafts; for
        everyone else, only when the linked row is public."""
        drafts = sees_drafts(user)
        annotations = {}
        for link, outer in self.links:
            linked = self.model._default_manager.public().filter(**{outer: OuterRef("pk")})
            annotations[f"{link}_shown"] = Value(True) if drafts else Exists(linked)
        return self.annotate(**annotations)


class ActorQuerySet(ReferenceQuerySet):
    links = (("part_of", "members"),)

    def used_publicly(self):
        made_or_received = _public_recommendations().filter(
            Q(made_by=OuterRef("pk")) | Q(also_made_by=OuterRef("pk")) | Q(addressed_to=OuterRef("pk"))
        )
        assessed = _public_status_updates().filter(assessed_by=OuterRef("pk"))
        return Q(Exists(made_or_received)) | Q(Exists(assessed))


class ThemeQuerySet(ReferenceQuerySet):
    links = (("parent", "children"),)

    def used_publicly(self):
        return Q(Exists(_public_recommendations().filter(themes=OuterRef("pk"))))


class AffectedGroupQuerySet(ReferenceQuerySet):
    def used_publicly(self):
        return Q(Exists(_public_recommendations().filter(affected_groups=OuterRef("pk"))))


class SustainableDevelopmentGoalQuerySet(ReferenceQuerySet):
    def used_publicly(self):
        """The 17 goals are a fixed, published list (loaded by a migration), not an editor's work."""
        return Q()


class LegalProvisionQuerySet(ReferenceQuerySet):
    def used_publicly(self):
        return Q(Exists(_public_recommendations().filter(legal_provisions=OuterRef("pk"))))


class SourceDocumentQuerySet(ReferenceQuerySet):
    links = (("replaces", "replaced_by"), ("replaced_by", "replaces"))

    def used_publicly(self):
        # Two EXISTS, each a walk of the document's citations that stops at the first public row.
        # (One EXISTS over "recommendation IN (public) OR assessment IN (public)" hashed every
        # public recommendation and assessment for each document: minutes at a million.)
        cited_by_recommendation = _public_recommendations().filter(citations__document=OuterRef("pk"))
        cited_by_assessment = _public_status_updates().filter(citations__document=OuterRef("pk"))
        return Q(Exists(cited_by_recommendation)) | Q(Exists(cited_by_assessment))

    def update(self, **kwargs):
        """A bulk UPDATE of the text keeps the hash in step and, like a save, refuses to change
        the text of a cited document (``models.guard_cited_text``)."""
        if "text" in kwargs or "text_sha256" in kwargs:
            from .models import CitedTextError, text_sha256

            text = kwargs.get("text")
            if not isinstance(text, str) or "text_sha256" in kwargs:
                raise TypeError("Update a document's text with a plain string; its SHA-256 follows from it.")
            kwargs["text_sha256"] = text_sha256(text)
            cited = self.filter(citations__isnull=False).exclude(text_sha256=kwargs["text_sha256"]).first()
            if cited is not None:
                raise CitedTextError(cited, cited.citations.count())
        return super().update(**kwargs)


# ── "Overdue", the one definition ──────────────────────────────────────────────────────────
# A recommendation is overdue on a date D when its deadline passed before D and the status that
# held on D is not "implemented" (no status at all counts as not implemented): due on
# 31 December, it is on time that day and overdue from 1 January. Everything that says
# "overdue" reads these two parts: the queryset filters and annotations below (the API's list,
# filter and ``as_of`` pictures, the admin's column and filter, ``Recommendation.is_overdue``)
# and the counts in stats.py (``status_counts`` and the timeline).


def deadline_passed(on):
    """The deadline part: due before ``on``, a date or an expression (the timeline compares
    with the start of a period). No deadline never passes (NULL is not less than anything)."""
    return Q(due_on__lt=on)


def deadline_passed_sql(due_on, on):
    """``deadline_passed`` in raw SQL, for the timeline's one statement (stats.py): the column or
    expression ``due_on`` before the SQL expression ``on``."""
    return f"({due_on} < {on})"


def done_statuses():
    """The status part: the statuses that end being overdue. Any other (or none) leaves a
    recommendation overdue once its deadline has passed."""
    from .models import ImplementationStatus

    return frozenset({ImplementationStatus.IMPLEMENTED})


def still_open(status):
    """The status part for a status already read (``""`` for none), e.g. a grouped count's."""
    return status not in done_statuses()


def still_open_q(status):
    """The status part in SQL, over the field or annotation named ``status`` (never NULL)."""
    return ~Q(**{f"{status}__in": done_statuses()})


def overdue_q(on=None):
    """Overdue on ``on`` (default today): both parts together, over the status that held then
    (``with_status_on(on)`` adds it as ``effective_status``)."""
    return deadline_passed(on or datetime.date.today()) & still_open_q("effective_status")


def made_by_q(actors):
    """Made by any of ``actors``, alone (``made_by``) or jointly (``also_made_by``): the one
    definition of "made by" that the filters and the admin use. A subquery, so no duplicate rows."""
    from .models import Recommendation

    joint = Recommendation.also_made_by.through.objects.filter(actor__in=actors)
    return Q(made_by__in=actors) | Q(pk__in=joint.values("recommendation_id"))


def state_under_review(state, actors=None):
    """What names a state under review, the one check (the API's filter refuses what it does not
    know): an Actor as it is, an ISO country code (any case) as the code in capitals, an actor's
    slug as that actor (looked up in ``actors``, by default all of them; the API passes those the
    client may see); None for anything else."""
    from django_countries import countries

    from .models import Actor

    if isinstance(state, Actor):
        return state
    value = str(state).strip()
    if len(value) == 2 and value.upper() in countries:
        return value.upper()
    return (Actor.objects.all() if actors is None else actors).filter(slug=value).first()


class StatusUpdateQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by(*LATEST_FIRST)

    def published(self):
        """Assessments a reviewer has published: the only ones that count toward a status."""
        from .models import ReviewState

        return self.filter(review_state=ReviewState.PUBLISHED)

    def public(self):
        """What anyone may see: published assessments of published, unarchived recommendations."""
        from .models import ReviewState

        return self.published().filter(
            recommendation__review_state=ReviewState.PUBLISHED, recommendation__archived_at__isnull=True
        )

    def held_on(self, on):
        """Assessments that describe the state of things on or before ``on``."""
        return self.filter(as_of__lte=on)


class RecommendationQuerySet(models.QuerySet):
    def published(self):
        from .models import ReviewState

        return self.filter(review_state=ReviewState.PUBLISHED)

    def active(self):
        """Not archived."""
        return self.filter(archived_at__isnull=True)

    def public(self):
        """What anyone may see: published and not archived."""
        return self.published().active()

    def overdue(self, on=None):
        """Overdue on ``on`` (default today): the deadline passed before it and the status that
        held on it was not "implemented". Adds the ``with_status_on(on)`` annotations."""
        return self.with_status_on(on).overdue_on(on)

    def not_overdue(self, on=None):
        """The complement of ``overdue``. Adds the ``with_status_on(on)`` annotations."""
        return self.with_status_on(on).not_overdue_on(on)

    def for_state_under_review(self, state):
        """Recommendations and promises addressed to a state or to any actor of its country (its
        government, its president, its authorities): everything that country is answerable for.

        ``state`` is an Actor, an actor's slug (``kazakhstan``) or an ISO country code (``KZ``,
        any case), as ``state_under_review`` reads it. An actor without a country matches only
        what is addressed to it; an unknown slug or code matches nothing.
        """
        known = state_under_review(state)
        if known is None:
            return self.none()
        if isinstance(known, str):
            return self.filter(addressed_to__country=known)
        if known.country:
            return self.filter(addressed_to__country=known.country)
        return self.filter(addressed_to=known)

    # ── "As of" reads: one definition of the status, the overdue flag and the set of
    # recommendations that held on a date, shared by the API's lists, filters and counts. ──

    def with_status_on(self, on=None):
        """Annotate what held on date ``on``: ``effective_status`` (``""`` if nothing was assessed
        yet), ``effective_status_as_of`` (its date) and ``effective_overdue``.

        Without a date they are read from the denormalised current status, which costs no
        subquery, and overdue is judged against today. With a date, from the status period that
        covers it (``status_periods.StatusPeriod``: the latest published assessment dated on or
        before it), joined as ``status_on``: one indexed join, no subquery per row."""
        if on is None:
            queryset = self.annotate(
                effective_status=F("current_status"), effective_status_as_of=F("current_status_as_of")
            )
        else:
            from .status_periods import covering

            queryset = self.annotate(
                status_on=FilteredRelation("status_periods", condition=covering(on)),
                # Coalesced to "" so that "not implemented" also holds, in SQL, for no status at all.
                effective_status=Coalesce(F("status_on__status"), Value(""), output_field=CharField()),
                effective_status_as_of=F("status_on__starts_on"),
            ).alias(status_on_period=F("status_on__recommendation_id"))  # in the indexes: no heap read
        # CASE rather than the bare condition: a missing deadline makes the condition NULL, not false.
        return queryset.annotate(
            effective_overdue=Case(
                When(overdue_q(on), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )

    def overdue_on(self, on=None):
        """Overdue on ``on`` (default today) by the status that held then; needs ``with_status_on(on)``."""
        return self.filter(overdue_q(on))

    def not_overdue_on(self, on=None):
        """The complement of ``overdue_on``; needs ``with_status_on(on)``."""
        return self.exclude(overdue_q(on))

    def existing_on(self, on):
        """Recommendations that had been made by date ``on``: made on or before it, or, when the
        date it was made is unknown, assessed on or before it (the earliest sign that it existed).
        A picture "as of 7 November 2019" leaves out what was said in 2022."""
        from .keyset import made_on_key
        from .status_periods import StatusPeriod

        if "status_on_period" in self.query.annotations:
            # Joined by ``with_status_on(on)``: the periods run without a gap from the first
            # published assessment on, so one covers the date exactly when one started by then.
            assessed_by_then = Q(status_on_period__isnull=False)
        else:
            # A status period starting by then is a published assessment dated by then.
            assessed_by_then = Exists(StatusPeriod.objects.filter(recommendation=OuterRef("pk"), starts_on__lte=on))
        # Said through the lists' sort key (an unknown date sorts as the smallest), so that "made
        # by then" is a range of the index that orders them (rec_made_on_keyset_idx).
        return self.alias(made_on_sort_key=made_on_key()).filter(
            Q(made_on_sort_key__lte=on), Q(made_on__isnull=False) | assessed_by_then
        )
