"""The FilterSets of recommendations, their timeline and their status updates."""

import django_filters
import django_filters.fields
from django.db import connection
from django.db.models import BigIntegerField, Case, DateField, F, Q, Value, When
from django_countries import countries

from ..keyset import NeverNull, RowId
from ..models import (
    Actor,
    AffectedGroup,
    Cluster,
    DatePrecision,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    ReviewState,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)
from ..querysets import made_by_q
from ..search import order_by_rank, search_recommendations
from .fields import (
    NO_STATUS,
    STATUS_CHOICES,
    BaseFilterSet,
    BooleanFilter,
    ChoicesFilter,
    FixedChoicesFilter,
    IdFilter,
    SlugFilter,
    WholeNumberFilter,
    known_state,
    ordering_filter,
    text_search,
)

# The status filter and the counts also know recommendations that nobody has assessed yet.


def linked_through(queryset, link: str, **lookup):
    """The recommendations with a row in the many-to-many ``link``'s table matching ``lookup``.
    A subquery rather than a join: no duplicate rows, so no DISTINCT and exact counts."""
    through = getattr(Recommendation, link).through.objects.filter(**lookup)
    return queryset.filter(pk__in=through.values("recommendation_id"))


class RecommendationFilterSet(BaseFilterSet):
    """Filters for recommendations and promises.

    ``as_of=YYYY-MM-DD`` turns the list into the picture on that date: ``status`` and
    ``overdue`` (both the filters and the values in the response) are the ones that held on it,
    and recommendations made after it are left out (see ``RecommendationQuerySet.existing_on``).
    """

    q = django_filters.CharFilter(
        method="filter_q",
        label=(
            "Search titles, texts, actors (made by, addressed to), legal provisions and themes: every word "
            '(or "quoted phrase") must occur, as a whole word in any of its forms (tortured → torture); '
            "best matches first unless `ordering` is given; each result's `snippet` shows the words found. "
            "An exact external id finds its row."
        ),
    )
    kind = ChoicesFilter(choices=Recommendation.Kind.choices)
    language = django_filters.CharFilter(label="Language of the title and text (en, ru, kk, …).")
    status = ChoicesFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        label="Implementation status (as of `as_of` if given); `no_status` for items not assessed yet.",
    )
    overdue = BooleanFilter(
        method="filter_overdue",
        label="Deadline passed (before `as_of`, or today) without the status then being `implemented`.",
    )
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        label="Show statuses and overdue flags as they stood on this date (YYYY-MM-DD); "
        "leaves out recommendations made after it.",
    )
    mechanism = ChoicesFilter(choices=Recommendation.Mechanism.choices)
    state_response = ChoicesFilter(choices=Recommendation.StateResponse.choices)
    theme = SlugFilter(model=Theme, method="filter_theme", label="Theme slug.")
    source_issue = django_filters.CharFilter(
        method="filter_source_issue",
        label="An issue as the imported file named it (UPR Info's \"Women's rights\"), any case; the curated "
        "themes it maps to are in `theme`.",
    )
    theme_id = IdFilter(model=Theme, method="filter_theme", label="Theme id.")
    legal_provision = SlugFilter(model=LegalProvision, method="filter_legal_provision", label="Legal provision slug.")
    legal_provision_id = IdFilter(model=LegalProvision, method="filter_legal_provision", label="Legal provision id.")
    # By number: the 17 goals are fixed, so the choices are too (and no number can overflow).
    sdg = ChoicesFilter(
        choices=[(str(number), f"SDG {number}") for number in SustainableDevelopmentGoal.NUMBERS],
        method="filter_sdg",
        label="Sustainable Development Goal by number (1–17).",
    )
    affected_group = SlugFilter(model=AffectedGroup, method="filter_affected_group", label="Affected group slug.")
    affected_group_id = IdFilter(model=AffectedGroup, method="filter_affected_group", label="Affected group id.")
    made_by = SlugFilter(model=Actor, method="filter_made_by", label="Slug of an actor who made it (alone or jointly).")
    made_by_id = IdFilter(model=Actor, method="filter_made_by", label="Id of an actor who made it (alone or jointly).")
    addressed_to = SlugFilter(model=Actor, field_name="addressed_to", label="Slug of the actor it is addressed to.")
    addressed_to_id = IdFilter(model=Actor, field_name="addressed_to", label="Id of the actor it is addressed to.")
    actor = SlugFilter(model=Actor, method="filter_actor", label="Actor slug: made by or addressed to this actor.")
    actor_id = IdFilter(model=Actor, method="filter_actor", label="Actor id: made by or addressed to this actor.")
    country = FixedChoicesFilter(
        choices=list(countries),
        field_name="addressed_to__country",
        label="ISO country code of the state (or authority) it is addressed to.",
    )
    made_after = django_filters.DateFilter(field_name="made_on", lookup_expr="gte", label="Made on or after.")
    made_before = django_filters.DateFilter(field_name="made_on", lookup_expr="lte", label="Made on or before.")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label="Due on or after.")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="Due on or before.")
    has_deadline = BooleanFilter(field_name="due_on", lookup_expr="isnull", exclude=True)
    external_id = django_filters.CharFilter()
    cluster = IdFilter(model=Cluster, field_name="cluster", label="Id of the cluster (the same ask) it belongs to.")
    state_under_review = django_filters.CharFilter(
        method="filter_state_under_review",
        label=(
            "The state under review, by ISO country code (KZ) or actor slug (kazakhstan): everything addressed "
            "to it or to any actor of that country (its president, its authorities)."
        ),
    )
    review_state = ChoicesFilter(choices=ReviewState.choices, label="draft or published (only staff see drafts).")
    upr_cycle = WholeNumberFilter(min_value=0, max_value=32767)
    upr_session = WholeNumberFilter(min_value=0, max_value=32767)
    ordering = ordering_filter(
        "made_on", "due_on", "title", ("effective_status_as_of", "status_as_of"), "updated_at", "id"
    )

    class Meta:
        model = Recommendation
        fields = []

    def filter_queryset(self, queryset):
        # Every other filter, the ordering and the serializer read the status annotations, so
        # they are added first, for the date asked for.
        return self._in_period_order(super().filter_queryset(queryset.with_status_on(self.as_of_date)))

    def _assessed_statuses_on_date(self):
        """The statuses asked for with ``as_of``, if none of them is "no status" (else None): then
        every row is one status period covering the date (``filter_status``)."""
        statuses = self.form.cleaned_data.get("status")
        if self.as_of_date is None or not statuses or NO_STATUS in statuses:
            return None
        return statuses

    def _in_period_order(self, queryset):
        """In the made-on order (the default), a list of assessed statuses on a date is sorted by
        the status period's copies of the keys (``StatusPeriod.made_on_key`` and its
        recommendation's id, equal to the recommendation's own): PostgreSQL then walks the
        periods' index in the list's order, from the cursor on, and stops when the page is full,
        instead of reading and sorting every period that matches."""
        order = [str(key) for key in queryset.query.order_by]
        if [key.lstrip("-") for key in order] != ["made_on", "id"] or self._assessed_statuses_on_date() is None:
            return queryset
        keys = [("-" if key.startswith("-") else "") + f"period_{key.lstrip('-')}" for key in order]
        return queryset.annotate(
            period_made_on=NeverNull(F("status_on__made_on_key"), output_field=DateField()),
            period_id=RowId(F("status_on__recommendation_id"), output_field=BigIntegerField()),
        ).order_by(*keys)

    @property
    def as_of_date(self):
        """The validated ``as_of`` date, or None (today, by the current status)."""
        return self.form.cleaned_data.get("as_of")

    def filter_as_of(self, queryset, name, value):
        return queryset.existing_on(value) if value else queryset

    def filter_q(self, queryset, name, value):
        found = search_recommendations(queryset, value)
        if found is queryset or self.form.cleaned_data.get("ordering"):
            return found
        # No order asked for: the best matches first (keyset pages follow the rank, then the id).
        return order_by_rank(found)

    def filter_state_under_review(self, queryset, name, value):
        return queryset.for_state_under_review(known_state(name, value, self.request))

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        statuses = ["" if status == NO_STATUS else status for status in value]
        if self.as_of_date is None:
            return queryset.filter(effective_status__in=statuses)  # the indexed current_status column
        if "" not in statuses:
            # The rows whose status period covering the date has one of these statuses (an inner
            # join), made by then: a range of status_period_list_idx (one status) or
            # status_period_any_idx (several), read in the list's order (``_in_period_order``).
            # (Through aliases: a filter() on the relation itself would join the periods a second time.)
            period = queryset.alias(period_status=F("status_on__status"), period_key=F("status_on__made_on_key"))
            return period.filter(period_status__in=statuses, period_key__lte=self.as_of_date)
        # "No status" is the absence of a covering period. Said as "not unmatched", PostgreSQL
        # guesses that most rows match and walks the list's index in order, probing each row's
        # period, until the page (or the capped count) is full; for "= 'x'" it would guess 0.5 %
        # of the rows and read and sort every row made by then.
        matches = Case(When(effective_status__in=statuses, then=Value(1)), default=Value(0))
        return queryset.alias(status_matches=matches).exclude(status_matches=0)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue_on(self.as_of_date) if value else queryset.not_overdue_on(self.as_of_date)

    def filter_theme(self, queryset, name, value):
        return linked_through(queryset, "themes", theme__in=value) if value else queryset

    def filter_source_issue(self, queryset, name, value):
        value = value.strip()
        return linked_through(queryset, "source_themes", sourcetheme__name__iexact=value) if value else queryset

    def filter_sdg(self, queryset, name, value):
        return linked_through(queryset, "sdgs", sustainabledevelopmentgoal__number__in=value) if value else queryset

    def filter_affected_group(self, queryset, name, value):
        return linked_through(queryset, "affected_groups", affectedgroup__in=value) if value else queryset

    def filter_legal_provision(self, queryset, name, value):
        return linked_through(queryset, "legal_provisions", legalprovision__in=value) if value else queryset

    def filter_made_by(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(made_by_q(value))

    def filter_actor(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(made_by_q(value) | Q(addressed_to__in=value))


class TimelineFilterSet(RecommendationFilterSet):
    """The recommendation filters that make sense across a range of dates: the timeline reports
    every status at every date, so it takes no ``status``, ``overdue``, ``as_of`` or ``ordering``."""

    status = None
    overdue = None
    as_of = None
    ordering = None

    def filter_queryset(self, queryset):
        # No status annotation and no order: the timeline adds its own for each date.
        return django_filters.FilterSet.filter_queryset(self, queryset)


# A search of the status history with at most this many matches lists them by id (``filter_q``).
SEARCH_MATCHES_BY_ID = 1000


class StatusUpdateFilterSet(BaseFilterSet):
    """Filters for the status history: "what changed this month?" is
    ``as_of_after=2024-04-01&as_of_before=2024-04-30`` (dated then) or ``updated_after=`` (recorded then)."""

    q = django_filters.CharFilter(method="filter_q", label="Search the summary.")
    recommendation = IdFilter(model=Recommendation, label="Recommendation id.")
    status = ChoicesFilter(choices=ImplementationStatus.choices)
    as_of_after = django_filters.DateFilter(field_name="as_of", lookup_expr="gte", label="Dated on or after.")
    as_of_before = django_filters.DateFilter(field_name="as_of", lookup_expr="lte", label="Dated on or before.")
    as_of_precision = ChoicesFilter(choices=DatePrecision.choices)
    assessor_kind = ChoicesFilter(choices=StatusUpdate.AssessorKind.choices)
    assessed_by = SlugFilter(model=Actor, field_name="assessed_by", label="Assessor's slug.")
    assessed_by_id = IdFilter(model=Actor, field_name="assessed_by", label="Assessor's id.")
    kind = ChoicesFilter(
        choices=Recommendation.Kind.choices, field_name="recommendation__kind", label="Kind of the recommendation."
    )
    theme = SlugFilter(model=Theme, method="filter_theme", label="Theme slug (of the recommendation).")
    mechanism = ChoicesFilter(
        choices=Recommendation.Mechanism.choices,
        field_name="recommendation__mechanism",
        label="Mechanism of the recommendation.",
    )
    state_under_review = django_filters.CharFilter(
        method="filter_state_under_review",
        label="The state under review of the recommendation, by ISO country code (KZ) or actor slug, as for "
        "recommendations.",
    )
    review_state = ChoicesFilter(choices=ReviewState.choices, label="draft or published (only staff see drafts).")
    ordering = ordering_filter("as_of", "created_at", "updated_at", "id")

    class Meta:
        model = StatusUpdate
        fields = []

    def filter_q(self, queryset, name, value):
        found = text_search(queryset, value, ["summary"])
        if connection.vendor != "postgresql" or found is queryset:
            return found
        # Not knowing how rare a word is, the planner walks the list's order for a page of matches
        # and reads every assessment when none matches (7 s at 2.6 million). The search's GIN index
        # gives the matches in milliseconds: when they are few, the list is those rows by id.
        matches = list(found.order_by().values_list("pk", flat=True)[: SEARCH_MATCHES_BY_ID + 1])
        return queryset.filter(pk__in=matches) if len(matches) <= SEARCH_MATCHES_BY_ID else found

    def filter_theme(self, queryset, name, value):
        themed = linked_through(Recommendation.objects.all(), "themes", theme__in=value)
        return queryset.filter(recommendation__in=themed.values("pk"))

    def filter_state_under_review(self, queryset, name, value):
        recommendations = Recommendation.objects.for_state_under_review(known_state(name, value, self.request))
        return queryset.filter(recommendation__in=recommendations.values("pk"))
