"""Chainable reads shared by the admin, the API, the commands and the tests."""

import datetime

from django.db import models
from django.db.models import OuterRef, Q, Subquery

# Newest assessment first: the latest `as_of` wins; among assessments of the same date the one
# recorded last wins, and the id settles rows recorded in the same instant.
LATEST_FIRST = ("-as_of", "-created_at", "-id")


class StatusUpdateQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by(*LATEST_FIRST)

    def published(self):
        """Assessments a reviewer has published: the only ones that count toward a status."""
        return self.filter(review_state="published")

    def public(self):
        """What anyone may see: published assessments of published, unarchived recommendations."""
        return self.published().filter(
            recommendation__review_state="published", recommendation__archived_at__isnull=True
        )

    def held_on(self, on):
        """Assessments that describe the state of things on or before ``on``."""
        return self.filter(as_of__lte=on)


class RecommendationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(review_state="published")

    def active(self):
        """Not archived."""
        return self.filter(archived_at__isnull=True)

    def public(self):
        """What anyone may see: published and not archived."""
        return self.published().active()

    def overdue(self, on=None):
        """Deadline passed (before ``on``, default today) without being implemented, by the current status."""
        from .models import ImplementationStatus

        on = on or datetime.date.today()
        return self.filter(due_on__lt=on).exclude(current_status=ImplementationStatus.IMPLEMENTED)

    def not_overdue(self, on=None):
        from .models import ImplementationStatus

        on = on or datetime.date.today()
        return self.filter(
            Q(due_on__isnull=True) | Q(due_on__gte=on) | Q(current_status=ImplementationStatus.IMPLEMENTED)
        )

    def with_status_as_of(self, on):
        """Annotate ``status_on`` and ``status_on_as_of``: the status that held on date ``on``
        (the latest published assessment dated on or before it), or None if there was none yet."""
        from .models import StatusUpdate

        latest = StatusUpdate.objects.published().filter(recommendation=OuterRef("pk")).held_on(on).latest_first()
        return self.annotate(
            status_on=Subquery(latest.values("status")[:1]),
            status_on_as_of=Subquery(latest.values("as_of")[:1]),
        )

    def for_state_under_review(self, state):
        """Recommendations and promises addressed to a state or to any actor of its country (its
        government, its president, its authorities): everything that country is answerable for.

        ``state`` is an Actor, an actor's slug (``kazakhstan``) or an ISO country code (``KZ``,
        any case). An actor without a country matches only what is addressed to it; an unknown
        slug or code matches nothing.
        """
        from django_countries import countries

        from .models import Actor

        if isinstance(state, Actor):
            actor = state
        else:
            value = str(state).strip()
            if len(value) == 2 and value.upper() in countries:
                return self.filter(addressed_to__country=value.upper())
            actor = Actor.objects.filter(slug=value).first()
            if actor is None:
                return self.none()
        if actor.country:
            return self.filter(addressed_to__country=actor.country)
        return self.filter(addressed_to=actor)
