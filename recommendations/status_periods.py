"""Status periods: when each recommendation held each status, derived from its published history.

A recommendation's status on date D is its latest published assessment dated on or before D (the
last recorded among assessments of the same date). Said the other way round: each published
assessment date starts a period that lasts until the recommendation's next, later assessment
date, and the status on D is the status of the period that covers D (none: no status yet). This
table stores those periods, one row per published assessment date (the winner of that date), so
that

- "the recommendations whose status on D was S", in the lists' order (newest first), is a walk of
  one index (``status_period_list_idx``: status, the recommendation's sort key, its id) that
  reads the periods of status S made by D in that order and keeps those that cover D, until the
  page (or the capped count) is full: the rows read depend on how many match, not on the table's
  size;
- "how many recommendations were in each status on D" (``stats/?as_of=D``) is one pass over the
  periods that cover D, joined with the recommendations, instead of one probe of the history per
  recommendation;
- the counts at every point of a timeline (``stats/timeline/``) are one pass over the periods,
  counting the days they begin and end (``stats._timeline_sql``), instead of a window over the
  whole history.

The rows carry the recommendation's sort key (``made_on_key``, ``COALESCE(made_on, 0001-01-01)``,
the key of ``rec_made_on_keyset_idx``) so that the walk is in the lists' order. Whether a
recommendation is public is not copied: it is read from the recommendation joined to each period.

Kept in step in one place, ``refresh``: set-based (two statements for any number of
recommendations), called where the denormalised current status is refreshed
(``services.recommendation_refresh_current_status``, after every recorded, changed, published,
unpublished, sent back or deleted assessment), where a recommendation's date changes
(``services.recommendation_change``, ``bulk.recommendations_bulk_change``) and after a bulk load
(``generate_demo_data``, the migration that built the table). Deleting a recommendation deletes
its periods (``CASCADE``). Drafts (recommendations or assessments) need nothing: a draft
assessment starts no period, and a recommendation's review state and archiving are read at query
time.
"""

from django.db import connection as default_connection
from django.db import models, transaction
from django.db.models import F, Q

from .models import ImplementationStatus, Recommendation, ReviewState, StatusUpdate

# Statements per call stay small (SQLite's bound on parameters, PostgreSQL's parsing of long lists).
REFRESH_BATCH = 1000
SMALLEST_DATE = "0001-01-01"  # keyset.SMALLEST for a date: an unknown made_on sorts as this


class StatusPeriod(models.Model):
    """One period of a recommendation's status: from ``starts_on`` (a published assessment's date)
    until ``ends_on`` (the next later published assessment's date, exclusive; None while it holds)."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="status_periods",
        db_index=False,  # the unique constraint's index starts with it
    )
    status = models.CharField(max_length=25, choices=ImplementationStatus.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # The recommendation's sort key, COALESCE(made_on, 0001-01-01): the lists' order is this, then the id.
    made_on_key = models.DateField()

    class Meta:
        app_label = "recommendations"
        ordering = ["recommendation", "starts_on"]
        indexes = [
            # One status on a date, in the lists' order: an index-only walk, ``starts_on``/``ends_on``
            # checked from the index entry.
            models.Index(
                fields=["status", "-made_on_key", "-recommendation"],
                include=["starts_on", "ends_on"],
                name="status_period_list_idx",
            ),
            # Several statuses at once (``status=a&status=b``): the same walk without the status prefix.
            models.Index(
                fields=["-made_on_key", "-recommendation"],
                include=["status", "starts_on", "ends_on"],
                name="status_period_any_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "starts_on"], name="status_period_one_per_date"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")), name="status_period_not_empty"
            ),
        ]

    def __str__(self):
        until = self.ends_on.isoformat() if self.ends_on else "now"
        return f"{self.status} from {self.starts_on.isoformat()} until {until}"


def _periods_sql(where):
    """INSERT … SELECT of the periods of the recommendations whose id satisfies ``where`` (SQL over
    the column ``recommendation_id``): per recommendation and date the last recorded published
    assessment (``ROW_NUMBER`` newest first, the order of ``querysets.LATEST_FIRST``), each lasting
    until the next date (``LEAD``). Window functions: PostgreSQL, and SQLite since 3.25."""
    periods = StatusPeriod._meta.db_table
    updates = StatusUpdate._meta.db_table
    recommendations = Recommendation._meta.db_table
    return f"""
        INSERT INTO {periods} (recommendation_id, status, starts_on, ends_on, made_on_key)
        SELECT dated.recommendation_id, dated.status, dated.as_of, dated.next_as_of,
               COALESCE(r.made_on, '{SMALLEST_DATE}')
        FROM (
            SELECT recommendation_id, status, as_of,
                   LEAD(as_of) OVER (PARTITION BY recommendation_id ORDER BY as_of) AS next_as_of
            FROM (
                SELECT recommendation_id, status, as_of,
                       ROW_NUMBER() OVER (
                           PARTITION BY recommendation_id, as_of ORDER BY created_at DESC, id DESC
                       ) AS latest
                FROM {updates}
                WHERE review_state = %s AND {where}
            ) ranked
            WHERE latest = 1
        ) dated
        JOIN {recommendations} r ON r.id = dated.recommendation_id
    """


def refresh(recommendations=None, *, connection=None) -> None:
    """Rebuild the periods of ``recommendations`` from their published history: ids (any
    iterable), a queryset of recommendations (one statement pair through a subquery, for a bulk
    load), or None for every recommendation. Two statements per ``REFRESH_BATCH`` ids."""
    connection = connection or default_connection
    periods = StatusPeriod._meta.db_table
    # Readers never see a recommendation without its periods between the DELETE and the INSERT.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if recommendations is None:
            cursor.execute(f"DELETE FROM {periods}")
            cursor.execute(_periods_sql("1 = 1"), [ReviewState.PUBLISHED])
            return
        if isinstance(recommendations, models.QuerySet):
            subquery, params = recommendations.order_by().values("pk").query.sql_with_params()
            cursor.execute(f"DELETE FROM {periods} WHERE recommendation_id IN ({subquery})", params)
            cursor.execute(_periods_sql(f"recommendation_id IN ({subquery})"), [ReviewState.PUBLISHED, *params])
            return
        ids = sorted({int(pk) for pk in recommendations})
        for start in range(0, len(ids), REFRESH_BATCH):
            batch = ids[start : start + REFRESH_BATCH]
            placeholders = ", ".join(["%s"] * len(batch))
            cursor.execute(f"DELETE FROM {periods} WHERE recommendation_id IN ({placeholders})", batch)
            cursor.execute(_periods_sql(f"recommendation_id IN ({placeholders})"), [ReviewState.PUBLISHED, *batch])


def covering(on) -> Q:
    """The periods (over the relation ``status_periods``) that cover date ``on``."""
    return Q(status_periods__starts_on__lte=on) & (
        Q(status_periods__ends_on__gt=on) | Q(status_periods__ends_on__isnull=True)
    )
