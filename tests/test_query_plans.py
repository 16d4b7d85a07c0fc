"""The public's lists walk the index that serves their order (PostgreSQL).

Each list is asked for as the dashboard asks for it, and the plan of its page query must read the
index that gives its order, rather than sort every matching row: a sort reads all of them, which
grows with the table (``bench/scale.py`` measures these at a million rows). The planner is told
that sorting (also in part, after an index's first key) and whole-table scans are dear, as they
are on a large table, so that the seed data's few rows give the large table's plan."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
]


@pytest.mark.parametrize(("url", "params", "index"), LISTS, ids=[f"{url}{params}" for url, params, _ in LISTS])
def test_the_page_walks_the_index_of_its_order(seeded, api_client, url, params, index):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(url, params).status_code == 200
    [page] = [query["sql"] for query in queries if "ORDER BY" in query["sql"] and " LIMIT " in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the seed data's statistics, whatever ran before
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {page}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
