"""Counts of recommendations by implementation status, for dashboards (``/api/v1/stats/``).

Every count is a SQL ``COUNT`` grouped by status (and by the grouping asked for): one query
per table, however many recommendations there are. Python only arranges the few grouped rows
that come back into the response and divides for the rates.

Definitions (the README and the API schema repeat them):

- a recommendation's status on date D is the latest assessment dated on or before D; without
  a date, its current status. ``no_status`` counts those with none.
- overdue on D: due before D and the status on D is not ``implemented`` (the one definition is in
  querysets.py: ``deadline_passed`` and ``still_open``, read here too).
- ``implementation_rate`` = implemented / total; ``implementation_rate_with_partial`` =
  (implemented + partially implemented) / total. Recommendations with no status count in the
  total: nothing shows they were implemented. Rates are None when the total is 0.
- with a date, only recommendations that had been made by then are counted
  (``RecommendationQuerySet.existing_on``).
"""

import bisect
import calendar
import dataclasses
import datetime
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django_countries import countries

from .filters import NO_STATUS
from .models import ImplementationStatus, LegalProvision, Recommendation
from .querysets import deadline_passed, still_open, still_open_q

STATUS_KEYS = [*ImplementationStatus.values, NO_STATUS]
RATE_DIGITS = 4
MAX_TIMELINE_POINTS = 240


@dataclasses.dataclass(frozen=True)
class Grouping:
    """How to group recommendations: the field whose value is the group's key, the fields that
    make its label, and the label of recommendations that have no value (no theme, say)."""

    key: str
    label_fields: tuple[str, ...]
    label: Callable[[dict], str]
    empty_label: str


GROUPINGS = {
    "theme": Grouping("themes__slug", ("themes__name",), lambda row: row["themes__name"], "(no theme)"),
    # "actor" is the actor who made the recommendation: per-actor counts must not count one twice.
    "actor": Grouping("made_by__slug", ("made_by__name",), lambda row: row["made_by__name"], "(unknown)"),
    "made_by": Grouping("made_by__slug", ("made_by__name",), lambda row: row["made_by__name"], "(unknown)"),
    "addressed_to": Grouping(
        "addressed_to__slug", ("addressed_to__name",), lambda row: row["addressed_to__name"], "(unknown)"
    ),
    "country": Grouping(
        "addressed_to__country",
        (),
        lambda row: countries.name(row["addressed_to__country"]) or row["addressed_to__country"],
        "(no country)",
    ),
    "kind": Grouping("kind", (), lambda row: Recommendation.Kind(row["kind"]).label, "(none)"),
    "mechanism": Grouping("mechanism", (), lambda row: Recommendation.Mechanism(row["mechanism"]).label, "(none)"),
    "sdg": Grouping(
        "sdgs__number", ("sdgs__name",), lambda row: f"SDG {row['sdgs__number']}: {row['sdgs__name']}", "(no SDG)"
    ),
    "affected_group": Grouping(
        "affected_groups__slug", ("affected_groups__name",), lambda row: row["affected_groups__name"], "(no group)"
    ),
    "legal_provision": Grouping(
        "legal_provisions__slug",
        ("legal_provisions__instrument", "legal_provisions__article", "legal_provisions__country"),
        lambda row: LegalProvision.label_of(
            row["legal_provisions__instrument"], row["legal_provisions__article"], row["legal_provisions__country"]
        ),
        "(no legal provision)",
    ),
}


def _summary(buckets):
    """Arrange ``{status: (count, past_due)}`` into the counts a dashboard shows."""
    by_status = {key: 0 for key in STATUS_KEYS}
    overdue = 0
    for status, (count, past_due) in buckets.items():
        by_status[status or NO_STATUS] += count
        if still_open(status):
            overdue += past_due
    return _summary_counts(by_status, overdue)


def _summary_counts(by_status, overdue):
    total = sum(by_status.values())
    implemented = by_status[ImplementationStatus.IMPLEMENTED]
    partial = by_status[ImplementationStatus.PARTIALLY_IMPLEMENTED]
    return {
        "total": total,
        "by_status": by_status,
        "implementation_rate": round(implemented / total, RATE_DIGITS) if total else None,
        "implementation_rate_with_partial": round((implemented + partial) / total, RATE_DIGITS) if total else None,
        "overdue": overdue,
    }


def _counted(queryset, on, *fields):
    """Rows of (fields…, status, count, past_due) for a queryset annotated by ``with_status_on(on)``.
    ``past_due`` counts the deadlines passed; whether the group's status leaves them overdue is
    decided per group (``_summary``), so the status subquery of an ``as_of`` count runs once."""
    day = on or datetime.date.today()
    return (
        queryset.order_by()
        .values(*fields, "effective_status")
        .annotate(count=Count("pk"), past_due=Count("pk", filter=deadline_passed(day)))
    )


def status_counts(queryset, *, on=None, group_by=None):
    """Counts by status of ``queryset`` (filtered, and annotated by ``with_status_on(on)``),
    overall and, if ``group_by`` names one of ``GROUPINGS``, per group. Two queries at most."""
    overall = {}
    for row in _counted(queryset, on):
        overall[row["effective_status"]] = (row["count"], row["past_due"])
    result = {"as_of": on, "group_by": group_by, "overall": _summary(overall), "groups": []}
    if group_by is None:
        return result
    grouping = GROUPINGS[group_by]
    groups, labels = {}, {}
    for row in _counted(queryset, on, grouping.key, *grouping.label_fields):
        key = row[grouping.key] or None
        groups.setdefault(key, {})
        previous = groups[key].get(row["effective_status"], (0, 0))
        groups[key][row["effective_status"]] = (previous[0] + row["count"], previous[1] + row["past_due"])
        labels[key] = grouping.label(row) if key is not None else grouping.empty_label
    rows = [{"key": key, "label": labels[key], **_summary(buckets)} for key, buckets in groups.items()]
    # Biggest groups first; the key settles ties, and "none" comes last.
    rows.sort(key=lambda row: (row["key"] is None, -row["total"], row["key"] or ""))
    result["groups"] = rows
    return result


INTERVALS = ("month", "quarter", "year")


def timeline_points(start, end, interval):
    """The last day of each month, quarter or year from ``start``'s to ``end``'s, the last one
    cut to ``end``. Raises ValueError if there would be more than ``MAX_TIMELINE_POINTS``."""
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    first = (start.year * 12 + start.month - 1) // months
    last = (end.year * 12 + end.month - 1) // months
    count = last - first + 1
    if count > MAX_TIMELINE_POINTS:
        raise ValueError(
            f"{count} {interval}s from {start.isoformat()} to {end.isoformat()}: "
            f"at most {MAX_TIMELINE_POINTS} points; use a shorter range or a longer interval."
        )
    points = []
    for period in range(first, last + 1):
        year, month = divmod(period * months + months - 1, 12)
        month += 1
        points.append(min(datetime.date(year, month, calendar.monthrange(year, month)[1]), end))
    return points


# What a row of the timeline's change counts says: a status period begins or ends there, or
# an overdue period (a period that is past its deadline) begins or ends there.
STARTS, ENDS, OVERDUE_STARTS, OVERDUE_ENDS = range(4)


def _changes(periods):
    """GROUP BY counts of where ``periods`` (rows annotated with ``status``, ``start``, ``end``
    and ``due_on``) begin and end, for the status counts and for the overdue count."""

    def counted(rows, kind, status, day, after):
        # ``after`` = 1: the change counts only from the day after ``day`` (a deadline).
        return (
            rows.order_by()
            .annotate(change=Value(kind), change_status=status, change_day=day, change_after=after)
            .values("change", "change_status", "change_day", "change_after")
            .annotate(change_count=Count("pk"))
        )

    yield counted(periods, STARTS, F("status"), F("start"), Value(0))
    yield counted(periods.filter(end__isnull=False), ENDS, F("status"), F("end"), Value(0))
    late = periods.filter(due_on__isnull=False).filter(still_open_q("status"))
    for kind, boundary in ((OVERDUE_STARTS, "start"), (OVERDUE_ENDS, "end")):
        # In a period [start, end), overdue on a point p = start <= p and the deadline passed
        # before p, minus the same for end. Each pair is one date g = the later of the boundary
        # and the deadline: from g itself if the deadline had passed by g, else from the day after.
        later = Greatest(boundary, "due_on", output_field=DateField())
        yield counted(
            late.filter(**{f"{boundary}__isnull": False}),
            kind,
            Value(""),
            later,
            Case(When(deadline_passed(later), then=Value(0)), default=Value(1)),
        )


def status_timeline(queryset, *, points):
    """Counts by status at each date in ``points`` (what ``status_counts`` gives with
    ``on=point``) for the recommendations in ``queryset`` (filtered, not yet annotated).

    Each assessment holds from its date (or the date the recommendation was made, if later)
    until the next, later-dated assessment of the same recommendation; before the first one a
    recommendation with a known date has no status. One query (a UNION ALL of GROUP BYs)
    counts how many such periods begin and end on each date; here those counts are added up
    to each point. The database makes one pass over the rows however many points there are,
    and the rows it returns grow with the number of distinct dates, not of recommendations."""
    from .models import StatusUpdate

    # Drafts count toward nothing until a reviewer publishes them.
    updates = StatusUpdate.objects.published().filter(recommendation__in=queryset.values("pk"))
    parts = [*_changes(_assessment_periods(updates)), *_changes(_unassessed_periods(queryset))]
    delta = {key: [0] * (len(points) + 1) for key in [*STATUS_KEYS, "overdue"]}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The query is large but cheap to run: PostgreSQL's JIT compiler, which it would
            # invoke for it, took 1.8 of 2.4 s in bench/api.py. Off for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        rows = list(parts[0].union(*parts[1:], all=True))
    for row in rows:
        kind, day, count = row["change"], row["change_day"], row["change_count"]
        # From the first point on (or, for a deadline, after) that day, the change counts.
        index = bisect.bisect_right(points, day) if row["change_after"] else bisect.bisect_left(points, day)
        key = (row["change_status"] or NO_STATUS) if kind in (STARTS, ENDS) else "overdue"
        delta[key][index] += count if kind in (STARTS, OVERDUE_STARTS) else -count
    running = dict.fromkeys(delta, 0)
    result = []
    for index, point in enumerate(points):
        for key in delta:
            running[key] += delta[key][index]
        by_status = {key: running[key] for key in STATUS_KEYS}
        result.append({"date": point, **_summary_counts(by_status, running["overdue"])})
    return result


def _assessment_periods(updates):
    """Each assessment that was not replaced by a later-recorded one of the same date, with the
    period it held: ``start`` (its date, or the date the recommendation was made if later) to
    ``end`` (the next later-dated assessment's date, or None)."""
    from .models import StatusUpdate

    same = StatusUpdate.objects.published().filter(recommendation=OuterRef("recommendation"))
    replaced = same.filter(as_of=OuterRef("as_of")).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__gt=OuterRef("id"))
    )
    following = same.filter(as_of__gt=OuterRef("as_of")).order_by("as_of").values("as_of")[:1]
    return (
        updates.exclude(Exists(replaced))
        .annotate(
            start=Greatest("as_of", Coalesce("recommendation__made_on", "as_of"), output_field=DateField()),
            following=Subquery(following, output_field=DateField()),
            due_on=F("recommendation__due_on"),
        )
        .annotate(
            # Both non-null here: GREATEST treats NULL differently on SQLite and PostgreSQL.
            end=Case(
                When(following__isnull=False, then=Greatest("following", "start", output_field=DateField())),
                default=None,
                output_field=DateField(),
            )
        )
    )


def _unassessed_periods(recommendations):
    """For each recommendation whose date is known, the period from that date until its first
    assessment (or, if later, the date itself; None if never assessed): it had no status then."""
    from .models import StatusUpdate

    first = StatusUpdate.objects.published().filter(recommendation=OuterRef("pk")).order_by("as_of").values("as_of")[:1]
    return (
        recommendations.filter(made_on__isnull=False)
        .annotate(start=F("made_on"), first=Subquery(first, output_field=DateField()), status=Value(""))
        .annotate(
            end=Case(
                When(first__isnull=False, then=Greatest("first", "made_on", output_field=DateField())),
                default=None,
                output_field=DateField(),
            )
        )
    )
