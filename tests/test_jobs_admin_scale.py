"""The jobs' admin pages stay cheap however large the jobs: the list reads neither the ids a job
works on nor its refused rows (counted by the database), in a fixed number of queries; a job's
page lists at most ERRORS_SHOWN refused rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.admin.jobs import ERRORS_SHOWN
from recommendations.jobs.models import Job

pytestmark = pytest.mark.django_db
LIST = reverse("admin:recommendations_job_changelist")


def large_job(user, refused=3):
    ids = list(range(1, 16001))
    return Job.objects.create(
        kind=Job.Kind.PUBLISH,
        state=Job.State.SUCCEEDED,
        started_by=user,
        total=len(ids),
        done=len(ids),
        changed=len(ids) - refused,
        params={"ids": ids},
        changed_ids=ids[refused:],
        errors=[{"row": f"Recommendation {n}", "id": n, "error": "Refused for a reason."} for n in range(refused)],
        description=f"{len(ids)} recommendations",
    )


def list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return response.content.decode(), queries


def test_the_jobs_list_reads_no_ids_and_counts_refusals_in_the_database(client_as, make_staff):
    client = client_as("Viewer")
    large_job(make_staff("Reviewer"), refused=7)
    page, queries = list_queries(client)
    assert re.search(r"field-error_count_display[^>]*>\s*7\s*<", page)
    job_select = [query["sql"] for query in queries.captured_queries if 'FROM "recommendations_job"' in query["sql"]]
    assert job_select and all('"params"' not in sql and '"changed_ids"' not in sql for sql in job_select)
    for _ in range(10):
        large_job(make_staff("Reviewer"))
    _, more = list_queries(client)
    assert len(more) == len(queries)


def test_a_jobs_page_lists_the_first_refused_rows_and_how_many_more(client_as, make_staff):
    client = client_as("Viewer")
    job = large_job(make_staff("Reviewer"), refused=ERRORS_SHOWN + 40)
    page = client.get(reverse("admin:recommendations_job_change", args=[job.pk])).content.decode()
    assert page.count("Refused for a reason.") == ERRORS_SHOWN
    assert "… and 40 more." in page


def test_the_rows_a_job_changed_are_selected_by_the_database_not_by_a_list_of_ids(client_as, make_staff):
    from tests.factories import RecommendationFactory

    client = client_as("Reviewer")
    first, _second, third = (RecommendationFactory(title=f"Row number {n}") for n in (1, 2, 3))
    job = large_job(make_staff("Editor"), refused=0)
    Job.objects.filter(pk=job.pk).update(changed_ids=[first.pk, third.pk, *range(10**6, 10**6 + 16000)])
    changelist = reverse("admin:recommendations_recommendation_changelist")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(changelist, {"job": job.pk}).content.decode()
    assert "Row number 1" in page and "Row number 3" in page and "Row number 2" not in page
    # No statement carries the 16,002 ids: the database reads them from the job's row.
    assert max(len(query["sql"]) for query in queries.captured_queries) < 20000
    for value in ("999999", "abc"):
        assert "Row number" not in client.get(changelist, {"job": value}).content.decode()
