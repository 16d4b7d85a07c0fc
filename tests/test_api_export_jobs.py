"""The API's export jobs (recommendations/api/export_jobs.py): queued with the streamed export's
filters, run by the worker, followed, downloaded; the same file as the streamed export; keys,
owners, expiry, throttling; and the streamed export's limit pointing to them."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from recommendations import spreadsheets
from recommendations.jobs import export as export_jobs
from recommendations.jobs.models import Job
from recommendations.models import ReviewState, StatusUpdate
from tests.factories import RecommendationFactory, ThemeFactory, record_status
from tests.jobs_helpers import fresh, run_queued_jobs, run_worker
from tests.test_exports import read_csv, read_xlsx

JOBS = "/api/v1/recommendations/export/jobs/"
SYNC = "/api/v1/recommendations/export/"


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"


@pytest.fixture
def rows(db):
    theme = ThemeFactory(name="Freedom of assembly", slug="freedom-of-assembly")
    made = []
    for number in range(5):
        row = RecommendationFactory(
            title=f"Public {number}",
            kind="promise" if number % 2 else "recommendation",
            made_on=datetime.date(2015 + number, 1, 1),
        )
        row.themes.add(theme)
        made.append(row)
    RecommendationFactory(title="=1+1 formula-like", made_on=datetime.date(2010, 1, 1))
    draft = RecommendationFactory(title="A draft", review_state=ReviewState.DRAFT)
    draft.themes.add(theme)
    return made


def exported(response, file_format):
    table = read_csv(response) if file_format == "csv" else read_xlsx(response)
    if file_format == "xlsx":
        table = [{header: cell.value for header, cell in row.items()} for row in table]
    return table


def start(client, params, address="127.0.0.1"):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = client.post(f"{JOBS}?{query}", REMOTE_ADDR=address)
    assert response.status_code == 202, response.content
    return response


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_job_runs_in_the_worker_and_its_file_is_the_streamed_exports(
    rows, api_client, monkeypatch, settings, file_format
):
    monkeypatch.setattr(spreadsheets, "CHUNK", 2)
    params = {"theme": "freedom-of-assembly", "ordering": "made_on", "format": file_format}
    response = start(api_client, params)
    body = response.json()
    assert response["Location"] == body["url"] and "/api/v1/export-jobs/" in body["url"]
    assert response["Cache-Control"] == "private, no-store"
    assert (body["state"], body["done"], body["total"], body["format"]) == ("queued", 0, 5, file_format)
    assert body["download_url"] is None and body["expired"] is False
    job = Job.objects.get()
    assert job.started_by is None and job.params["query"] == {"theme": ["freedom-of-assembly"], "ordering": ["made_on"]}
    assert "ids" not in job.params  # the query, not the rows, is stored

    progress = []
    in_order = spreadsheets.in_order

    def recorded(sheet, ids, report=None):
        def note(done):
            report(done)
            progress.append(Job.objects.get(pk=job.pk).done)  # committed, as a poll reads it

        return in_order(sheet, ids, note if report else None)  # (the streamed export: none)

    monkeypatch.setattr(spreadsheets, "in_order", recorded)
    run_worker()
    assert progress == [2, 4, 5]

    status = api_client.get(body["url"]).json()
    assert (status["state"], status["done"], status["total"], status["errors"]) == ("succeeded", 5, 5, [])
    assert status["elapsed"] >= 0 and status["outcome"].startswith("5 recommendations exported")
    assert status["expires_at"] is not None and status["download_url"].endswith("/download/")
    download = api_client.get(status["download_url"])
    assert download.status_code == 200
    content_type, extension = spreadsheets.FORMATS[file_format]
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith('attachment; filename="recommendations-')
    assert download["Content-Disposition"].endswith(f'.{extension}"')
    sync = api_client.get(SYNC, params)
    assert sync.status_code == 200
    assert exported(download, file_format) == exported(sync, file_format)
    titles = [row["Title"] for row in exported(api_client.get(status["download_url"]), file_format)]
    assert titles == [f"Public {number}" for number in range(5)]  # published only, in the asked order
    assert fresh(job).result_file and not list(settings.EXPORT_DIR.glob("*.part"))


def test_the_status_updates_export_job_is_the_streamed_one(rows, api_client):
    for row in rows[:3]:
        record_status(row, "in_progress", "2020-03-01")
    response = api_client.post("/api/v1/status-updates/export/jobs/?format=csv")
    assert response.status_code == 202
    run_queued_jobs()
    download = api_client.get(response.json()["url"] + "download/")
    assert download.status_code == 200
    streamed = read_csv(api_client.get("/api/v1/status-updates/export/", {"format": "csv"}))
    assert read_csv(download) == streamed and len(streamed) == StatusUpdate.objects.count() == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=bogus", "status"),
        ("made_after=yesterday", "made_after"),
        ("format=pdf", "format"),
        ("theme=nope", "theme"),
    ],
)
def test_bad_filters_are_a_400_naming_them_and_queue_nothing(rows, api_client, query, field):
    response = api_client.post(f"{JOBS}?{query}")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Job.objects.exists()


def test_a_body_is_refused(rows, api_client):
    response = api_client.post(JOBS, {"theme": "freedom-of-assembly"}, format="json")
    assert response.status_code == 400 and "query string" in str(response.json())
    assert not Job.objects.exists()


def test_a_job_is_read_only_with_its_key(rows, api_client):
    body = start(api_client, {"format": "csv"}).json()
    run_queued_jobs()
    job = Job.objects.get()
    key = body["url"].rstrip("/").rsplit("/", 1)[1]
    number, secret = key.split("-", 1)
    assert number == str(job.pk) and len(secret) >= 32 and secret not in str(job.params)
    other = f"{job.pk}-{'x' * len(secret)}"
    for wrong in (other, str(job.pk), f"{job.pk}-", "abc", f"{job.pk + 1}-{secret}"):
        assert api_client.get(f"/api/v1/export-jobs/{wrong}/").status_code == 404, wrong
        assert api_client.get(f"/api/v1/export-jobs/{wrong}/download/").status_code == 404, wrong
    assert api_client.get(body["url"]).status_code == 200


def test_a_curators_job_has_drafts_and_is_theirs_alone(rows, api_client, make_staff, django_user_model):
    viewer = make_staff("Viewer")
    api_client.force_authenticate(viewer)
    body = start(api_client, {"theme": "freedom-of-assembly", "format": "csv"}).json()
    assert body["total"] == 6  # the draft too
    run_queued_jobs()
    download = body["url"] + "download/"
    assert "A draft" in {row["Title"] for row in read_csv(api_client.get(download))}
    # The key alone is not enough for a job that may hold drafts.
    api_client.force_authenticate(None)
    assert api_client.get(body["url"]).status_code == 401
    assert api_client.get(download).status_code == 401
    api_client.force_authenticate(make_staff("Viewer", "another-viewer"))
    assert api_client.get(body["url"]).status_code == 403
    assert api_client.get(download).status_code == 403
    api_client.force_authenticate(django_user_model.objects.create_superuser("root"))
    assert api_client.get(download).status_code == 200
    # An anonymous job has published rows only, whoever reads it.
    api_client.force_authenticate(None)
    public = start(api_client, {"theme": "freedom-of-assembly", "format": "csv"}).json()
    run_queued_jobs()
    api_client.force_authenticate(viewer)
    titles = {row["Title"] for row in read_csv(api_client.get(public["url"] + "download/"))}
    assert len(titles) == 5 and "A draft" not in titles


def test_an_expired_file_is_refused_with_410_and_removed(rows, api_client, settings):
    body = start(api_client, {"format": "xlsx"}).json()
    run_queued_jobs()
    job = Job.objects.get()
    path = settings.EXPORT_DIR / job.result_file
    assert path.is_file() and not export_jobs.expired_export_jobs().exists()
    later = job.finished_at + datetime.timedelta(hours=settings.EXPORT_JOB_TTL, seconds=1)
    assert list(export_jobs.expired_export_jobs(later)) == [job]
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    status = api_client.get(body["url"]).json()
    assert status["expired"] is True and status["download_url"] is None
    response = api_client.get(body["url"] + "download/")
    assert response.status_code == 410
    assert "expired" in response.json()["detail"] and "start a new export job" in response.json()["detail"]
    assert not path.exists() and fresh(job).result_file == ""
    assert not export_jobs.expired_export_jobs().exists()  # nothing left to clean up
    assert api_client.get(body["url"] + "download/").status_code == 410


def test_a_file_is_offered_only_once_written(rows, api_client):
    body = start(api_client, {"format": "csv"}).json()
    response = api_client.get(body["url"] + "download/")
    assert response.status_code == 404 and "queued" in response.json()["detail"]


def test_the_streamed_export_past_its_limit_points_to_the_export_job(rows, api_client, settings):
    settings.EXPORT_STREAM_LIMIT = 4
    assert api_client.get(SYNC, {"kind": "recommendation", "format": "csv"}).status_code == 200  # 4 rows
    response = api_client.get(SYNC, {"theme": "freedom-of-assembly", "format": "xlsx"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "too_many_rows" and "more than 4 recommendations" in body["detail"]
    assert (
        body["export_job"]
        == "http://testserver/api/v1/recommendations/export/jobs/?theme=freedom-of-assembly&format=xlsx"
    )
    job = api_client.post(body["export_job"])
    assert job.status_code == 202 and job.json()["total"] == 5 and job.json()["format"] == "xlsx"


def test_starting_jobs_is_throttled(rows, api_client, make_staff, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/minute", "user": "100/minute", "export_job": "2/hour"}
    )
    urls = [start(api_client, {"format": "csv"}).json()["url"] for _ in range(2)]
    refused = api_client.post(JOBS)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Job.objects.count() == 2
    # Following a job is not starting one: polling is not held back by this scope.
    assert api_client.get(urls[0]).status_code == 200
    # The scope counts per client: a signed-in curator has an allowance of their own.
    api_client.force_authenticate(make_staff("Viewer"))
    assert api_client.post(JOBS).status_code == 202


def test_polling_a_job_costs_one_query_whatever_its_size(rows, api_client, django_assert_num_queries):
    small = start(api_client, {"format": "csv", "kind": "promise"}).json()
    large = start(api_client, {"format": "csv"}).json()
    run_queued_jobs()
    Job.objects.filter(pk=Job.objects.order_by("pk").last().pk).update(
        errors=[{"row": str(n), "error": "refused"} for n in range(200)]
    )
    for body in (small, large):
        with django_assert_num_queries(1):
            assert api_client.get(body["url"]).status_code == 200


def test_the_admins_export_files_expire_by_the_same_rule(rows, client_as, settings):
    from django.urls import reverse

    from recommendations.models import Recommendation

    client = client_as("Viewer")
    viewer = Job._meta.get_field("started_by").related_model.objects.get(username="viewer")
    job = export_jobs.export_job_queue(
        model=Recommendation, ids=[row.pk for row in rows], file_format="csv", user=viewer
    )
    run_queued_jobs()
    job = fresh(job)
    download = reverse("admin:recommendations_job_download", args=[job.pk])
    assert client.get(download).status_code == 200
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    assert list(export_jobs.expired_export_jobs()) == [job]
    response = client.get(download)
    assert response.status_code == 410 and b"expired" in response.content
    assert not (settings.EXPORT_DIR / job.result_file).exists() and not export_jobs.expired_export_jobs().exists()


def test_a_job_whose_filters_went_stale_fails_saying_so(rows, api_client, make_staff):
    from recommendations.models import Theme

    body = start(api_client, {"theme": "freedom-of-assembly", "format": "csv"}).json()
    Theme.objects.filter(slug="freedom-of-assembly").delete()
    run_queued_jobs()
    status = api_client.get(body["url"]).json()
    assert status["state"] == "failed" and status["download_url"] is None
    assert "filters are no longer valid" in status["outcome"] and "theme" in status["outcome"]
    # A curator's job whose account is gone does not fall back to the public's rows under their key.
    viewer = make_staff("Viewer")
    api_client.force_authenticate(viewer)
    start(api_client, {"format": "csv"})
    viewer.delete()
    run_queued_jobs()
    job = Job.objects.order_by("pk").last()
    assert job.state == Job.State.FAILED and "no longer exists" in job.outcome and not job.result_file


def test_the_publics_waiting_jobs_are_capped_for_all_clients_together(rows, api_client, make_staff, settings):
    settings.EXPORT_JOBS_PUBLIC_MAX_WAITING = 2
    start(api_client, {"format": "csv"})
    start(api_client, {"format": "xlsx"}, address="10.0.0.2")
    refused = api_client.post(JOBS, REMOTE_ADDR="10.0.0.3")
    assert refused.status_code == 503 and refused["Retry-After"] == "60"
    assert "try again" in refused.json()["detail"] and Job.objects.count() == 2
    api_client.force_authenticate(make_staff("Viewer"))  # a curator's job is not the public's queue
    assert api_client.post(JOBS).status_code == 202
    api_client.force_authenticate(None)
    run_queued_jobs()  # written: no longer waiting
    start(api_client, {"format": "csv"})
