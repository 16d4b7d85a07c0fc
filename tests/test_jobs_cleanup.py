"""``manage.py cleanup_jobs``: the files jobs leave (the upload of an import that failed, an export's
file past its expiry, files no job names) are removed once past their retention, old finished jobs
on request; a queued or running job's files never; the job's page then says when its file went."""

import datetime
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from recommendations.jobs import imports, runner
from recommendations.jobs.models import Job
from tests.jobs_helpers import fresh, run_queued_jobs

pytestmark = pytest.mark.django_db
SAMPLE = (Path(__file__).parent / "data" / "upr-sample-macroman.csv").read_bytes()
OPTIONS = {"format": "auto", "state_under_review": "", "encoding": None, "assessed_by": "", "assessed_on": ""}


@pytest.fixture
def retention(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EXPORT_DIR.mkdir()
    settings.JOBS_INPUT_RETENTION, settings.EXPORT_JOB_TTL = 30, 24
    return settings


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def failed_import(user, settings, *, finished_days_ago):
    """An import that failed (the reviewer may no longer publish), finished some days ago."""
    settings.ALLOW_SELF_REVIEW = True
    job = imports.import_job_queue(
        content=SAMPLE, file_name="upr.csv", options=OPTIONS, user=user, rows=6, publish=True
    )
    settings.ALLOW_SELF_REVIEW = False
    run_queued_jobs()
    assert fresh(job).state == Job.State.FAILED
    Job.objects.filter(pk=job.pk).update(finished_at=days_ago(finished_days_ago))
    return fresh(job)


def finished_export(settings, *, hours_ago, name):
    (settings.EXPORT_DIR / name).write_bytes(b"x" * 2000)
    return Job.objects.create(
        kind=Job.Kind.EXPORT,
        state=Job.State.SUCCEEDED,
        result_file=name,
        total=3,
        finished_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        description="3 recommendations as XLSX",
    )


def cleanup(*args):
    out = StringIO()
    call_command("cleanup_jobs", *args, stdout=out)
    return out.getvalue()


def test_the_upload_of_an_import_that_failed_long_ago_is_removed_and_its_page_says_so(retention, make_staff, client):
    reviewer = make_staff("Reviewer")
    old = failed_import(reviewer, retention, finished_days_ago=31)
    recent = failed_import(reviewer, retention, finished_days_ago=2)
    old_path, recent_path = Path(old.input_file.path), Path(recent.input_file.path)
    assert old_path.is_file() and recent_path.is_file()

    output = cleanup()
    assert output.startswith("Removed 1 file(s), ")
    assert f"{old_path} (" in output and f"input of Job {old.pk}: UPR import (failed)" in output
    assert "finished 31 days ago" in output
    assert not old_path.exists() and recent_path.is_file()
    old, recent = fresh(old), fresh(recent)
    assert (old.input_file.name, recent.file_removed_at) == ("", None) and old.file_removed_at

    client.force_login(reviewer)
    page = client.get(reverse("admin:recommendations_job_change", args=[old.pk])).content.decode()
    assert f"The file was removed on {timezone.localtime(old.file_removed_at):%d %B %Y} after 31 days" in page
    # Run again now says to upload the file again, rather than failing on a missing path.
    retention.ALLOW_SELF_REVIEW = True
    assert runner.job_requeue(job=old, user=reviewer)
    run_queued_jobs()
    assert fresh(old).outcome == "Refused: The job has no file to import; upload it again."
    assert cleanup() == "Nothing to clean up.\n"


def test_a_queued_jobs_file_is_never_removed(retention, make_staff):
    reviewer = make_staff("Reviewer")
    job = failed_import(reviewer, retention, finished_days_ago=31)
    retention.ALLOW_SELF_REVIEW = True
    runner.job_requeue(job=job, user=reviewer)  # queued again, its finished_at cleared
    Job.objects.filter(pk=job.pk).update(finished_at=days_ago(40))
    os.utime(job.input_file.path, (0, 0))
    assert cleanup() == "Nothing to clean up.\n"
    assert Path(job.input_file.path).is_file()


def test_an_export_past_its_expiry_is_removed_and_its_link_replaced(retention, make_staff, client):
    admin = make_staff("Administrator")
    expired = finished_export(retention, hours_ago=30, name="job-1-recommendations.xlsx")
    current = finished_export(retention, hours_ago=2, name="job-2-recommendations.xlsx")
    Job.objects.filter(pk__in=[expired.pk, current.pk]).update(started_by=admin)

    output = cleanup()
    assert f"export of Job {expired.pk}: Spreadsheet export (done) (3 recommendations as XLSX)" in output
    assert not (retention.EXPORT_DIR / expired.result_file).exists()
    assert (retention.EXPORT_DIR / current.result_file).is_file()
    expired = fresh(expired)
    assert expired.result_file == "" and expired.file_removed_at

    client.force_login(admin)
    page = client.get(reverse("admin:recommendations_job_change", args=[expired.pk])).content.decode()
    assert "The file was removed on" in page and "after 1 day " in page
    assert reverse("admin:recommendations_job_download", args=[expired.pk]) not in page
    download = client.get(reverse("admin:recommendations_job_download", args=[expired.pk]))
    assert download.status_code == 404


def test_dry_run_lists_and_removes_nothing(retention, make_staff):
    job = failed_import(make_staff("Reviewer"), retention, finished_days_ago=31)
    export = finished_export(retention, hours_ago=30, name="job-9-recommendations.csv")
    output = cleanup("--dry-run")
    assert output.startswith("Would remove 2 file(s), ") and output.endswith("Dry run: nothing was removed.\n")
    assert Path(job.input_file.path).is_file() and (retention.EXPORT_DIR / export.result_file).is_file()
    assert fresh(job).file_removed_at is None and fresh(export).result_file


def test_files_no_job_names_are_removed_once_old(retention):
    inputs = Path(retention.JOBS_INPUT_DIR) / "2026" / "01"
    inputs.mkdir(parents=True)
    orphan_input, young_input = inputs / "job-77.upload", inputs / "job-78.upload"
    partial = retention.EXPORT_DIR / "job-5-recommendations.xlsx.1.part"  # a killed export's
    for path in (orphan_input, young_input, partial):
        path.write_bytes(b"data")
    os.utime(orphan_input, (0, 0))
    os.utime(partial, (0, 0))
    output = cleanup()
    assert "Removed 2 file(s)" in output and "no job names it, older than JOBS_INPUT_RETENTION" in output
    assert not orphan_input.exists() and not partial.exists() and young_input.is_file()


def test_old_finished_jobs_are_deleted_on_request_with_their_files(retention, make_staff):
    old_export = finished_export(retention, hours_ago=24 * 100, name="job-3-recommendations.csv")
    recent_export = finished_export(retention, hours_ago=24 * 10, name="job-4-recommendations.csv")
    running = Job.objects.create(kind=Job.Kind.PUBLISH, state=Job.State.RUNNING, started_at=days_ago(100))
    dry = cleanup("--delete-jobs-older-than", "90", "--dry-run")
    assert f"Would delete 1 finished job(s):\n  Job {old_export.pk}: Spreadsheet export (done)" in dry
    assert Job.objects.count() == 3

    output = cleanup("--delete-jobs-older-than", "90")
    assert f"Deleted 1 finished job(s):\n  Job {old_export.pk}" in output
    assert set(Job.objects.values_list("pk", flat=True)) == {recent_export.pk, running.pk}
    assert not (retention.EXPORT_DIR / "job-3-recommendations.csv").exists()
    # The recent export is past its 24 hours: its file goes, its row stays.
    assert not (retention.EXPORT_DIR / "job-4-recommendations.csv").exists() and fresh(recent_export).file_removed_at


def test_a_negative_age_is_refused_readably():
    with pytest.raises(CommandError, match="takes a number of days, 0 or more"):
        cleanup("--delete-jobs-older-than", "-1")
