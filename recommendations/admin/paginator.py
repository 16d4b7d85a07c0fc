"""The admin's paginator for big tables: it counts a changelist's rows only up to a limit.

Django's changelist counts the filtered rows on every page view (``show_full_result_count =
False`` only spares the second, unfiltered count). Past ``ADMIN_COUNT_LIMIT`` rows this paginator
stops counting and, on PostgreSQL, takes the planner's estimate of the filtered query instead (an
EXPLAIN, no rows read); elsewhere the limit itself. The number of pages follows from that figure,
so the last pages' links are approximate; a page past the real end shows as empty."""

import json

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property


def planner_estimate(queryset):
    """PostgreSQL's estimate of how many rows ``queryset`` returns, or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``ADMIN_COUNT_LIMIT`` rows; beyond, an estimate (see the module)."""

    @cached_property
    def count(self):
        limit = settings.ADMIN_COUNT_LIMIT
        counted = self.object_list.order_by().values("pk")[: limit + 1].count()
        self.exact = counted <= limit
        if self.exact:
            return counted
        return max(limit + 1, planner_estimate(self.object_list) or 0)

    def page(self, number):
        number = self.validate_number(number)
        if self.exact:
            return super().page(number)
        # Not cut at the estimated count, which may be short of the rows there are.
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)

    def validate_number(self, number):
        if self.count and self.exact:
            return super().validate_number(number)
        # Past the limit: a page the estimate promised but the rows do not reach is empty, not an error.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number
