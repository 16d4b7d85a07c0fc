"""Time the background jobs end to end with a real worker, and the admin's requests meanwhile.

HOW TO RUN THE 100,000 FIGURE ("no admin request over 5 s with 100,000 recommendations while a job
runs"), on a quiet machine (check `uptime` first; nothing else running):

    nice -n 10 .venv/bin/python bench/jobs.py --background 100000 --only publish,assess,export
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        nice -n 10 .venv/bin/python bench/jobs.py --background 100000 --only publish,assess,export

Both create a throwaway database (SQLite: a file in a temporary directory; PostgreSQL: `test_<name>`
of the URL's database), generate BACKGROUND synthetic recommendations in it (`generate_demo_data`,
~85% published, with documents, status histories and citations), then ROWS draft recommendations
(each with one citation) for the jobs; the database is destroyed at the end. Expect about
4–8 minutes for the background data at 100,000 and 4–10 minutes for the publish of 16,000 on a
quiet 2-core machine. Add `--rows 2000 --assess 200 --background 20000` for a quick check.

With a `db_worker` process running it publishes the ROWS drafts as one job, bulk-assesses ASSESS
of them, and exports all ROWS to XLSX — each time from queueing to done. While each job runs it
requests, in turn and as a reviewer, the admin pages a curator would use (the recommendations'
list filtered by status, a search, a recommendation's change page, the jobs' list, the job's page)
and prints, per page, the number of requests, the longest and the 95th percentile of wall time,
and the CPU time the request took in this process (the server's share: wall time on a loaded
machine is mostly waiting for a core). Then (``api``) it downloads all ROWS from the API's export as
CSV and as XLSX: the time, then (a second download, traced) the peak of memory Python allocated;
and (``apijob``) through the API's export job, CSV and XLSX: POST, poll the job's URL until done
(the longest poll), download.
Use `nice -n 19` for a full run on a shared machine and say "loaded" next to its figures.
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


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def watch(job, client, pages):
    """Ask for the admin pages, in turn, until the job is done; returns (seconds to done, the
    job, {page: [(wall, cpu), ...]})."""
    from recommendations.jobs.models import Job

    started, timings = time.perf_counter(), {label: [] for label in pages}
    while True:
        for label, url in pages.items():
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            timings[label].append((time.perf_counter() - wall, time.process_time() - cpu))
        job.refresh_from_db()
        if job.state in (Job.State.SUCCEEDED, Job.State.FAILED):
            return time.perf_counter() - started, job, timings
        time.sleep(0.5)


def print_timings(timings):
    for label, samples in timings.items():
        walls, cpus = [wall for wall, _ in samples], [cpu for _, cpu in samples]
        print(
            f"    {label:<48}{len(samples):>5} requests   longest {max(walls):6.2f} s   "
            f"p95 {percentile(walls, 0.95):6.2f} s   CPU mean {sum(cpus) / len(cpus):5.2f} s, max {max(cpus):5.2f} s"
        )


def add_background(count):
    """COUNT synthetic recommendations (generate_demo_data), with fresh planner statistics."""
    from django.db import connection

    from recommendations.demo.generate import generate_demo_data

    before = time.perf_counter()
    report = generate_demo_data(recommendations=count, seed=7)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"background: {report.recommendations:,} recommendations, {report.status_updates:,} status updates, "
        f"{report.citations:,} citations in {time.perf_counter() - before:.1f} s"
    )


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


def main(rows, assess, only, background):
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
        if background:
            add_background(background)
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
        some_recommendation = Recommendation.objects.order_by("pk").values_list("pk", flat=True)[
            Recommendation.objects.count() // 2
        ]
        pages = {
            "recommendations, filtered by status": f"{changelist}?current_status__exact=in_progress",
            "recommendations, search 'peaceful assemblies'": f"{changelist}?q=peaceful+assemblies",
            "a recommendation's change page": reverse(
                "admin:recommendations_recommendation_change", args=[some_recommendation]
            ),
            "jobs' list": reverse("admin:recommendations_job_changelist"),
        }

        def run(label, job):
            job_page = {"the job's page": reverse("admin:recommendations_job_change", args=[job.pk])}
            seconds, job, timings = watch(job, client, {**pages, **job_page})
            print(f"{label:<40}{seconds:>9.1f} s to done   {job.outcome}")
            print_timings(timings)

        if "publish" in only:
            run(f"publish {rows} drafts", review_job_queue(kind=Job.Kind.PUBLISH, ids=ids, user=reviewer))
            assert (
                Recommendation.objects.filter(
                    external_id__startswith="bench:", review_state=ReviewState.PUBLISHED
                ).count()
                == rows
            )
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
    parser.add_argument(
        "--background", type=int, default=0, help="synthetic recommendations to add first (generate_demo_data)"
    )
    arguments = parser.parse_args()
    main(arguments.rows, min(arguments.assess, arguments.rows), set(arguments.only.split(",")), arguments.background)
