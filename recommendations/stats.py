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
from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.functions import Lag, Lead
from django_countries import countries

from .filters import NO_STATUS
from .models import ImplementationStatus, LegalProvision, Recommendation
from .querysets import LATEST_FIRST, deadline_passed, deadline_passed_sql, done_statuses, still_open

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


# What a row of the timeline's change counts says: a status period begins or ends there, or
# an overdue period (a period that is past its deadline) begins or ends there.
STARTS, ENDS, OVERDUE_STARTS, OVERDUE_ENDS = range(4)


def _greatest(connection):
    # PostgreSQL's GREATEST; SQLite's two-argument MAX (both get non-NULL arguments only here).
    return "GREATEST" if connection.vendor == "postgresql" else "MAX"


def _timeline_sql(queryset, connection):
    """One statement: the assessment periods (a window over the published status updates, in one
    pass), the periods without a status before each recommendation's first assessment, and the
    GROUP BY counts of where they begin and end, for the status counts and for the overdue count.

    Each published assessment holds from its date (or the date the recommendation was made, if
    later) until the next assessment's date (``lag()`` over the history newest first, the order
    of ``LATEST_FIRST``). Among assessments of the same date, all but the last recorded get an
    empty period (their next is the same date), whose start and end cancel out; so the last
    recorded wins, as everywhere. The status and deadline rules come from querysets.py."""
    from .models import StatusUpdate

    updates = (
        StatusUpdate.objects.published()
        .filter(recommendation__in=queryset.values("pk"))
        .order_by()
        .annotate(
            rec_made_on=F("recommendation__made_on"),
            rec_due_on=F("recommendation__due_on"),
            # Newest first, the order of the index status_published_latest_idx: no sort. The row
            # before in that order is the next assessment; the first has no row after it.
            following=Window(Lag("as_of"), partition_by=[F("recommendation_id")], order_by=LATEST_FIRST),
            preceding=Window(Lead("as_of"), partition_by=[F("recommendation_id")], order_by=LATEST_FIRST),
        )
        # The key too: a DISTINCT queryset (some filters make one) would otherwise merge two
        # rows with the same dates into one.
        .values("pk", "status", "as_of", "rec_made_on", "rec_due_on", "following", "preceding")
    )
    published = StatusUpdate.objects.published().filter(recommendation=OuterRef("pk"))
    never_assessed = (
        queryset.order_by().filter(made_on__isnull=False).exclude(Exists(published)).values("pk", "made_on", "due_on")
    )
    updates_sql, updates_params = updates.query.sql_with_params()
    never_sql, never_params = never_assessed.query.sql_with_params()
    g = _greatest(connection)
    start = f"{g}(as_of, COALESCE(rec_made_on, as_of))"
    done = list(done_statuses())
    open_status = f"status NOT IN ({', '.join(['%s'] * len(done))})"

    def overdue(kind, boundary):
        # In a period [start, end), overdue on a point p = start <= p and the deadline passed
        # before p, minus the same for end. Each pair is one date g = the later of the boundary
        # and the deadline: from g itself if the deadline had passed by g, else from the day after.
        later = f"{g}({boundary}, due_on)"
        return (
            f"SELECT {kind} AS change, '' AS change_status, day, CASE WHEN {deadline_passed_sql('due_on', 'day')} "
            f"THEN 0 ELSE 1 END AS change_after FROM (SELECT {later} AS day, due_on FROM periods "
            f"WHERE due_on IS NOT NULL AND {boundary} IS NOT NULL AND {open_status}) late"
        )

    sql = f"""
        WITH assessments AS ({updates_sql}),
        periods AS (
            SELECT status, {start} AS start,
                   CASE WHEN following IS NULL THEN NULL ELSE {g}(following, {start}) END AS finish,
                   rec_due_on AS due_on
            FROM assessments
            UNION ALL
            SELECT '', rec_made_on, {g}(as_of, rec_made_on), rec_due_on
            FROM assessments WHERE preceding IS NULL AND rec_made_on IS NOT NULL
            UNION ALL
            SELECT '', made_on, NULL, due_on FROM ({never_sql}) never_assessed
        ),
        changes AS (
            SELECT {STARTS} AS change, status AS change_status, start AS day, 0 AS change_after FROM periods
            UNION ALL
            SELECT {ENDS}, status, finish, 0 FROM periods WHERE finish IS NOT NULL
            UNION ALL
            {overdue(OVERDUE_STARTS, "start")}
            UNION ALL
            {overdue(OVERDUE_ENDS, "finish")}
        )
        SELECT change, change_status, day, change_after, COUNT(*) FROM changes
        GROUP BY change, change_status, day, change_after
    """
    return sql, [*updates_params, *never_params, *done, *done]


def status_timeline(queryset, *, points):
    """Counts by status at each date in ``points`` (what ``status_counts`` gives with
    ``on=point``) for the recommendations in ``queryset`` (filtered, not yet annotated).

    Each assessment holds from its date (or the date the recommendation was made, if later)
    until the next, later-dated assessment of the same recommendation; before the first one a
    recommendation with a known date has no status. One query counts how many such periods
    begin and end on each date (``_timeline_sql``); here those counts are added up to each
    point. The database makes one pass over the status updates however many points there are,
    and the rows it returns grow with the number of distinct dates, not of recommendations."""
    # Drafts count toward nothing until a reviewer publishes them (``published()`` above).
    delta = {key: [0] * (len(points) + 1) for key in [*STATUS_KEYS, "overdue"]}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL's JIT compiler costs more than it saves on this one-off statement, and
            # the GROUP BY of 100,000 recommendations' dates spills to disk in the default 4 MB.
            cursor.execute("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)")
        cursor.execute(*_timeline_sql(queryset, connection))
        rows = cursor.fetchall()
    for kind, status, day, after, count in rows:
        if isinstance(day, str):  # SQLite hands dates back as text
            day = datetime.date.fromisoformat(day)
        # From the first point on (or, for a deadline, after) that day, the change counts.
        index = bisect.bisect_right(points, day) if after else bisect.bisect_left(points, day)
        key = (status or NO_STATUS) if kind in (STARTS, ENDS) else "overdue"
        delta[key][index] += count if kind in (STARTS, OVERDUE_STARTS) else -count
    running = dict.fromkeys(delta, 0)
    result = []
    for index, point in enumerate(points):
        for key in delta:
            running[key] += delta[key][index]
        by_status = {key: running[key] for key in STATUS_KEYS}
        result.append({"date": point, **_summary_counts(by_status, running["overdue"])})
    return result
