"""Chainable reads shared by the admin, the API, the commands and the tests."""

import datetime

from django.db import models
from django.db.models import BooleanField, Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

# Newest assessment first: the latest `as_of` wins; among assessments of the same date the one
# recorded last wins, and the id settles rows recorded in the same instant.
LATEST_FIRST = ("-as_of", "-created_at", "-id")


class SourceDocumentQuerySet(models.QuerySet):
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


def state_under_review(state):
    """What names a state under review, the one check (the API's filter refuses what it does not
    know): an Actor as it is, an ISO country code (any case) as the code in capitals, an actor's
    slug as that actor; None for anything else."""
    from django_countries import countries

    from .models import Actor

    if isinstance(state, Actor):
        return state
    value = str(state).strip()
    if len(value) == 2 and value.upper() in countries:
        return value.upper()
    return Actor.objects.filter(slug=value).first()


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
        subquery, and overdue is judged against today; with a date, the status is the latest
        published assessment dated on or before it (a correlated subquery)."""
        from .models import StatusUpdate

        if on is None:
            queryset = self.annotate(
                effective_status=F("current_status"), effective_status_as_of=F("current_status_as_of")
            )
        else:
            latest = StatusUpdate.objects.published().filter(recommendation=OuterRef("pk")).held_on(on).latest_first()
            queryset = self.annotate(
                # Coalesced to "" so that "not implemented" also holds, in SQL, for no status at all.
                effective_status=Coalesce(Subquery(latest.values("status")[:1]), Value(""), output_field=CharField()),
                effective_status_as_of=Subquery(latest.values("as_of")[:1]),
            )
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
        from .models import StatusUpdate

        assessed_by_then = StatusUpdate.objects.published().filter(recommendation=OuterRef("pk")).held_on(on)
        return self.filter(Q(made_on__lte=on) | (Q(made_on__isnull=True) & Exists(assessed_by_then)))
