"""The public's lists walk the index that serves their order (PostgreSQL).

Each list is asked for as the dashboard asks for it, and the plan of its page query must read the
index that gives its order, rather than sort every matching row: a sort reads all of them, which
grows with the table (``bench/scale.py`` measures these at a million rows). The planner is told
that sorting (also in part, after an index's first key) and whole-table scans are dear, as they
are on a large table, so that the seed data's few rows give the large table's plan."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.filters import text_search
from recommendations.models import StatusUpdate

pytestmark = pytest.mark.django_db

LISTS = [
    ("/api/v1/recommendations/", {}, "rec_made_on_keyset_idx"),
    # The dashboard's overdue promises, nearest deadline first.
    (
        "/api/v1/recommendations/",
        {"kind": "promise", "overdue": "true", "ordering": "due_on"},
        "rec_due_on_keyset_idx",
    ),
    # The dashboard's latest assessments.
    ("/api/v1/status-updates/", {"ordering": "-as_of"}, "status_as_of_id_idx"),
    ("/api/v1/documents/", {}, "document_keyset_idx"),
    ("/api/v1/recommendations/", {"upr_cycle": "3"}, "rec_upr_cycle_keyset_idx"),
    ("/api/v1/recommendations/", {"ordering": "-title"}, "rec_title_keyset_idx"),
]


@pytest.mark.parametrize(("url", "params", "index"), LISTS, ids=[f"{url}{params}" for url, params, _ in LISTS])
def test_the_page_walks_the_index_of_its_order(seeded, api_client, url, params, index):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(url, params).status_code == 200
    [page] = [query["sql"] for query in queries if "ORDER BY" in query["sql"] and " LIMIT " in query["sql"]]
    assert index in plan_of(page)


def plan_of(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the seed data's statistics, whatever ran before
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_status_updates_search_reads_its_gin_index(seeded, api_client):
    """``q`` over the assessments' summaries (``text_search``) is served by
    ``status_summary_search_idx``, whose expression must be the search's own; and a rare word's
    few matches are then the list (by id), not a walk of every assessment in the list's order."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    search = text_search(StatusUpdate.objects.order_by(), "reform", ["summary"]).values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")  # left: the seq scan, or a bitmap of an index on it
        plan = plan_of(*search.query.sql_with_params())
    assert "status_summary_search_idx" in plan, plan
    with CaptureQueriesContext(connection) as queries:
        listed = api_client.get("/api/v1/status-updates/", {"q": "reform"}).json()["results"]
    assert listed and all("reform" in item["summary"].lower() for item in listed)
    page = [query["sql"] for query in queries if "ORDER BY" in query["sql"] and " LIMIT " in query["sql"]]
    assert page and "@@" not in page[0] and " IN (" in page[0]
