"""Time the background jobs end to end with a real worker, and the admin's slowest request meanwhile.

    python bench/jobs.py [--rows 16000] [--assess 1000] [--only publish,assess,export,api,apijob]  # SQLite
    DATABASE_URL=postgres://… python bench/jobs.py                  # PostgreSQL (creates test_<name>)

On a fresh database it creates ROWS draft recommendations (each with one citation), then, with a
`db_worker` process running: publishes them all as one job, bulk-assesses ASSESS of them, and
exports all ROWS to XLSX — each time from queueing to done. While each job runs it keeps asking
for the job's admin page and the recommendations' list, and reports the longest of those
requests. Then (``api``) it downloads all ROWS from the API's export as CSV and as XLSX: the
time, then (a second download, traced) the peak of memory Python allocated; and (``apijob``)
through the API's export job, CSV and XLSX: POST, poll the job's URL until done (the longest
poll), download. The database is
destroyed at the end. Use small sizes while developing, and `nice -n 19` for a full run.
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Test settings: production behaviour (DEBUG off, so no query log skews the figures), no .env needed.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.test")


def database_url(connection):
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def make_drafts(rows):
    from django.contrib.auth.models import Group, User

    from recommendations.models import Actor, Citation, Recommendation, ReviewState, SourceDocument
    from recommendations.roles import EDITOR

    editor = User.objects.create_user("bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    state = Actor.objects.create(name="Kazakhstan", slug="kz-bench", kind=Actor.Kind.STATE, country="KZ")
    recommender = Actor.objects.create(name="Norway", slug="no-bench", kind=Actor.Kind.STATE, country="NO")
    text = "The committee notes that the reform of the law on peaceful assemblies has stalled since 2020."
    document = SourceDocument.objects.create(external_id="bench.txt", title="Bench report", text=text)
    quote = "the reform of the law on peaceful assemblies has stalled"
    start = text.index(quote)
    drafts = Recommendation.objects.bulk_create(
        Recommendation(
            title=f"Recommendation {n}",
            text=f"Reform the law on peaceful assemblies ({n}).",
            made_by=recommender,
            addressed_to=state,
            made_on=datetime.date(2019, 11, 7),
            review_state=ReviewState.DRAFT,
            created_by=editor,
            external_id=f"bench:{n}",
        )
        for n in range(rows)
    )
    Citation.objects.bulk_create(
        Citation(document=document, quote=quote, quote_start=start, quote_end=start + len(quote), recommendation=r)
        for r in drafts
    )
    return editor, document, [r.pk for r in drafts]


def watch(job, client, urls):
    """Ask for the admin pages until the job is done; returns (seconds to done, longest request)."""
    from recommendations.jobs.models import Job

    started, longest = time.perf_counter(), 0.0
    while True:
        for url in urls:
            before = time.perf_counter()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            longest = max(longest, time.perf_counter() - before)
        job.refresh_from_db()
        if job.state in (Job.State.SUCCEEDED, Job.State.FAILED):
            return time.perf_counter() - started, longest, job
        time.sleep(0.5)


def api_export(client, rows):
    """Download every row from the API's export in each format: seconds and peak memory."""
    import tracemalloc

    def download(file_format):
        response = client.get("/api/v1/recommendations/export/", {"format": file_format})
        assert response.status_code == 200, response.status_code
        return sum(len(part) for part in response.streaming_content)

    for file_format in ("csv", "xlsx"):
        before = time.perf_counter()
        size = download(file_format)
        seconds = time.perf_counter() - before
        tracemalloc.start()  # slows Python down several times: a second download, not timed
        download(file_format)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"API export of {rows} rows as {file_format.upper():<4}{seconds:>16.1f} s   "
            f"{size / 1e6:.2f} MB sent, peak Python memory {peak / 1e6:.1f} MB"
        )


def api_export_job(client, rows):
    """The API's export job of every row in each format: seconds from POST to done, then the file."""
    for file_format in ("csv", "xlsx"):
        before = time.perf_counter()
        response = client.post(
            f"/api/v1/recommendations/export/jobs/?format={file_format}", content_type="application/json"
        )
        assert response.status_code == 202, (response.status_code, response.content)
        url, longest = response.json()["url"], time.perf_counter() - before
        while True:
            asked = time.perf_counter()
            job = client.get(url).json()
            longest = max(longest, time.perf_counter() - asked)
            if job["state"] in ("succeeded", "failed"):
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - before
        assert job["state"] == "succeeded" and job["total"] == rows, job
        download = client.get(job["download_url"])
        size = sum(len(part) for part in download.streaming_content)
        print(
            f"API export job of {rows} rows as {file_format.upper():<4}{seconds:>12.1f} s to done "
            f"(worker {job['elapsed']:.1f} s)   longest request {longest:.2f} s   {size / 1e6:.2f} MB file"
        )


def main(rows, assess, only):
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from recommendations import services
    from recommendations.jobs.assessment import assessment_queue
    from recommendations.jobs.export import export_job_queue
    from recommendations.jobs.models import Job
    from recommendations.jobs.review import review_job_queue
    from recommendations.models import Recommendation, ReviewState
    from recommendations.roles import REVIEWER

    directory = tempfile.TemporaryDirectory()
    if connection.vendor == "sqlite":
        # A file, as in production, and one the worker process can open too.
        connection.settings_dict["TEST"]["NAME"] = str(Path(directory.name) / "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    worker = None
    try:
        from django.conf import settings

        settings.EXPORT_DIR = Path(directory.name)
        created = time.perf_counter()
        editor, document, ids = make_drafts(rows)
        print(f"database: {connection.vendor}; {rows} drafts created in {time.perf_counter() - created:.1f} s")
        reviewer = User.objects.create_user("bench-reviewer", is_staff=True)
        reviewer.groups.add(Group.objects.get(name=REVIEWER))
        client = Client()
        client.force_login(reviewer)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection),
            "ENV_FILE": os.devnull,
            "EXPORT_DIR": directory.name,
        }
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )
        changelist = reverse("admin:recommendations_recommendation_changelist")

        def run(label, job):
            urls = [reverse("admin:recommendations_job_change", args=[job.pk]), changelist]
            seconds, longest, job = watch(job, client, urls)
            print(f"{label:<40}{seconds:>9.1f} s to done   longest admin request {longest:.2f} s   {job.outcome}")

        if "publish" in only:
            run(f"publish {rows} drafts", review_job_queue(kind=Job.Kind.PUBLISH, ids=ids, user=reviewer))
            assert Recommendation.objects.filter(review_state=ReviewState.PUBLISHED).count() == rows
        fields = {
            "status": "in_progress",
            "as_of": datetime.date(2024, 5, 1),
            "summary": "Bench assessment.",
            "as_of_precision": "day",
            "as_of_basis": "stated",
            "date_note": "",
            "assessor_kind": "staff",
            "assessed_by": None,
        }
        citation = services.CitationInput(document=document, quote="the law on peaceful assemblies has stalled")
        if "assess" in only:
            run(
                f"bulk-assess {assess} recommendations",
                assessment_queue(ids=ids[:assess], fields=fields, citation=citation, user=editor),
            )
        if "export" in only:
            run(
                f"export {rows} rows to XLSX",
                export_job_queue(model=Recommendation, ids=ids, file_format="xlsx", user=reviewer),
            )
        if "api" in only:
            api_export(client, rows)  # the reviewer sees drafts: all ROWS
        if "apijob" in only:
            api_export_job(client, rows)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=16000)
    parser.add_argument("--assess", type=int, default=1000)
    parser.add_argument("--only", default="publish,assess,export,api,apijob", help="which steps, comma-separated")
    arguments = parser.parse_args()
    main(arguments.rows, min(arguments.assess, arguments.rows), set(arguments.only.split(",")))
