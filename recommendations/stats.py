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
from django.db.models import Count
from django_countries import countries

from .filters import NO_STATUS
from .models import ImplementationStatus, LegalProvision, Recommendation
from .querysets import deadline_passed, deadline_passed_sql, done_statuses, still_open

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
    return {
        "as_of": on,
        "group_by": group_by,
        "overall": overall_counts(queryset, on=on),
        "groups": group_counts(queryset, group_by, on=on) if group_by is not None else [],
    }


def overall_counts(queryset, *, on=None):
    """The counts by status of all of ``queryset`` (``status_counts``' "overall"). One query."""
    overall = {}
    for row in _counted(queryset, on):
        overall[row["effective_status"]] = (row["count"], row["past_due"])
    return _summary(overall)


def group_counts(queryset, group_by, *, on=None):
    """The counts by status per group of ``group_by`` (one of ``GROUPINGS``), biggest groups
    first (``status_counts``' "groups"). One query."""
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
    return rows


INTERVALS = ("month", "quarter", "year")


#: A timeline asked for without ``start`` covers this many years up to its end (today by default).
TIMELINE_DEFAULT_YEARS = 5


def timeline_range(start=None, end=None, *, today):
    """The range of a timeline whose ``start`` or ``end`` was not given: the end defaults to
    ``today``, the start to the first day of the month five years of months before the end's
    month, so that a monthly timeline has 60 points, the last five years by month."""
    end = end or today
    if start is None:
        months = end.year * 12 + end.month - 1 - (TIMELINE_DEFAULT_YEARS * 12 - 1)
        start = datetime.date(months // 12, months % 12 + 1, 1)
    return start, end


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


# What a row of the timeline's change counts says: a span begins or ends there, or its overdue
# part (the part past its deadline) begins or ends there.
STARTS, ENDS, OVERDUE_STARTS, OVERDUE_ENDS = range(4)

# The status of the span each recommendation with a known date has from the day it was made on
# (no status period has it: statuses are never empty). The recommendations without a status on a
# date are those made by then less those with one (``status_timeline``).
MADE = ""


def _greatest(connection):
    # PostgreSQL's GREATEST; SQLite's two-argument MAX (both get non-NULL arguments only here).
    return "GREATEST" if connection.vendor == "postgresql" else "MAX"


def _timeline_sql(queryset, connection):
    """One statement: the GROUP BY counts of the days where spans begin and end, for the status
    counts and for the overdue count, by status and by whether the recommendation's date is known.

    The spans are the status periods (``status_periods``: each published assessment date's status
    until the next later one), each starting no earlier than the day its recommendation was made,
    and one ``MADE`` span per recommendation with a known date, from that day on. One pass over the
    periods of the recommendations in ``queryset`` (joined to their dates) and one over those
    recommendations, however many points the timeline has. The deadline rule is querysets.py's."""
    from .status_periods import StatusPeriod

    queryset = queryset.order_by()
    if len(queryset.query.alias_map) > 1:
        # A filter across a to-many relation may repeat a row: by key instead (the API's filters
        # are subqueries, so they need not).
        queryset = Recommendation.objects.filter(pk__in=queryset.values("pk")).order_by()
    recommendations = queryset.values("id", "made_on", "due_on")
    recommendations_sql, params = recommendations.query.sql_with_params()
    g = _greatest(connection)

    done = list(done_statuses())
    in_done = f"status IN ({', '.join(['%s'] * len(done))})"
    # The overdue count reads only these spans' overdue parts (``status_timeline``): the MADE
    # spans, the done statuses of recommendations with a known date and the open statuses of
    # those without one. (The open statuses of dated recommendations, most spans, are counted
    # through their MADE span.)
    overdue_spans = f"(status = '{MADE}' OR ({in_done}) = known)"

    def overdue(kind, boundary):
        # In a span [start, end), overdue on a point p = start <= p and the deadline passed before
        # p, minus the same for end. Each pair is one date g = the later of the boundary and the
        # deadline: from g itself if the deadline had passed by g, else from the day after.
        return (
            f"SELECT {kind}, status, known, day, CASE WHEN {deadline_passed_sql('due_on', 'day')} THEN 0 ELSE 1 END "
            f"FROM (SELECT status, known, {g}({boundary}, due_on) AS day, due_on FROM spans "
            f"WHERE due_on IS NOT NULL AND {boundary} IS NOT NULL AND {overdue_spans}) late"
        )

    sql = f"""
        WITH recommendations AS ({recommendations_sql}),
        periods AS (
            SELECT p.status, r.made_on IS NOT NULL AS known, r.due_on,
                   {g}(p.starts_on, COALESCE(r.made_on, p.starts_on)) AS start, p.ends_on
            FROM {StatusPeriod._meta.db_table} p JOIN recommendations r ON r.id = p.recommendation_id
        ),
        spans AS (
            SELECT status, known, due_on, start,
                   CASE WHEN ends_on IS NULL THEN NULL ELSE {g}(ends_on, start) END AS finish
            FROM periods
            UNION ALL
            SELECT '{MADE}', made_on IS NOT NULL, due_on, made_on, NULL FROM recommendations WHERE made_on IS NOT NULL
        ),
        changes (change, change_status, known, day, change_after) AS (
            SELECT {STARTS}, status, known, start, 0 FROM spans
            UNION ALL
            SELECT {ENDS}, status, known, finish, 0 FROM spans WHERE finish IS NOT NULL
            UNION ALL
            {overdue(OVERDUE_STARTS, "start")}
            UNION ALL
            {overdue(OVERDUE_ENDS, "finish")}
        )
        SELECT change, change_status, known, day, change_after, COUNT(*) FROM changes
        GROUP BY change, change_status, known, day, change_after
    """
    return sql, [*params, *done, *done]


def status_timeline(queryset, *, points):
    """Counts by status at each date in ``points`` (what ``status_counts`` gives with
    ``on=point``) for the recommendations in ``queryset`` (filtered, not yet annotated).

    One query counts how many spans begin and end on each date (``_timeline_sql``); here those
    counts are added up to each point: a status's count is the number of its spans that cover the
    point; "no status", the recommendations made by then (``MADE`` spans) less those with a status
    among them; overdue, the overdue parts of the ``MADE`` spans less those of the done-status spans
    of the same (dated) recommendations, plus those of the open-status spans of recommendations
    whose date is unknown (they exist from their first assessment on). The database reads each
    status period once however many points there are, and the rows it returns grow with the number
    of distinct dates, not of recommendations."""
    # Drafts count toward nothing until a reviewer publishes them: the periods are the published history.
    spans, late = {}, {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL's JIT compiler costs more than it saves on this one-off statement, and
            # the GROUP BY of 100,000 recommendations' dates spills to disk in the default 4 MB.
            cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)")
        cursor.execute(*_timeline_sql(queryset, connection))
        rows = cursor.fetchall()
    for kind, status, known, day, after, count in rows:
        if isinstance(day, str):  # SQLite hands dates back as text
            day = datetime.date.fromisoformat(day)
        # From the first point on (or, for a deadline, after) that day, the change counts.
        index = bisect.bisect_right(points, day) if after else bisect.bisect_left(points, day)
        delta = (spans if kind in (STARTS, ENDS) else late).setdefault((status, bool(known)), [0] * len(points))
        if index < len(points):
            delta[index] += count if kind in (STARTS, OVERDUE_STARTS) else -count
    running_spans = {key: 0 for key in spans}
    running_late = {key: 0 for key in late}
    done = done_statuses()
    result = []
    for index, point in enumerate(points):
        for key in spans:
            running_spans[key] += spans[key][index]
        for key in late:
            running_late[key] += late[key][index]
        by_status = dict.fromkeys(STATUS_KEYS, 0)
        for (status, known), count in running_spans.items():
            if status == MADE:
                by_status[NO_STATUS] += count
            else:
                by_status[status] += count
                if known:
                    by_status[NO_STATUS] -= count
        overdue = 0
        for (status, known), count in running_late.items():
            if status == MADE:
                overdue += count
            elif known and status in done:
                overdue -= count
            elif not known and status not in done:
                overdue += count
        result.append({"date": point, **_summary_counts(by_status, overdue)})
    return result
