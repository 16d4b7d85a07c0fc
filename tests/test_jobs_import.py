"""The admin's UPR import as a background job (recommendations/jobs/imports.py): the file stored
with the job, run as the person who queued it, all or nothing; a refusal fails the job with the
importer's message and writes nothing, and running it again once the cause is gone imports it.
The admin's upload → preview → confirm is in test_admin_import.py; a real worker killed in the
middle of an import in test_jobs_worker_process.py."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from recommendations.importers import import_file
from recommendations.jobs import imports, runner
from recommendations.jobs.models import Job
from recommendations.models import Recommendation, SourceDocument
from tests.jobs_helpers import fresh, run_queued_jobs

pytestmark = pytest.mark.django_db
SAMPLE = (Path(__file__).parent / "data" / "upr-sample-macroman.csv").read_bytes()  # 6 rows, 5 distinct
OPTIONS = {"format": "auto", "state_under_review": "", "encoding": None, "assessed_by": "", "assessed_on": ""}


def queue(user, content=SAMPLE, **kwargs):
    return imports.import_job_queue(content=content, file_name="upr.csv", options=OPTIONS, user=user, rows=6, **kwargs)


def test_the_job_imports_the_stored_file_as_its_starter(make_staff):
    editor = make_staff("Editor")
    job = queue(editor)
    assert job.input_file.read() == SAMPLE and job.params["sha256"]
    run_queued_jobs()
    job = fresh(job)
    assert (job.state, job.done, job.total, job.changed) == (Job.State.SUCCEEDED, 6, 6, 5)
    assert job.outcome.startswith("Imported upr.csv (6 rows): 5 created")
    assert set(Recommendation.objects.values_list("created_by", flat=True)) == {editor.pk}
    assert set(Recommendation.objects.values_list("review_state", flat=True)) == {"draft"}


def test_a_second_run_of_the_same_file_changes_nothing(make_staff):
    editor = make_staff("Editor")
    queue(editor)
    queue(editor)
    run_queued_jobs()
    first, second = Job.objects.order_by("pk")
    assert (first.changed, second.changed, second.state) == (5, 0, Job.State.SUCCEEDED)
    assert "0 created, 0 updated, 5 unchanged" in second.outcome
    assert Recommendation.objects.count() == 5 and SourceDocument.objects.count() == 1


def test_publishing_is_refused_at_once_for_an_editor(make_staff):
    with pytest.raises(PermissionDenied, match="Only a reviewer can publish"):
        queue(make_staff("Editor"), publish=True)
    assert not Job.objects.exists()


def test_a_permission_withdrawn_before_it_runs_fails_the_job_and_a_rerun_imports_it(make_staff, settings):
    settings.ALLOW_SELF_REVIEW = True
    reviewer = make_staff("Reviewer")
    job = queue(reviewer, publish=True)
    settings.ALLOW_SELF_REVIEW = False
    run_queued_jobs()
    job = fresh(job)
    assert job.state == Job.State.FAILED
    assert job.outcome.startswith("Refused: upr.csv: You are adding these recommendations, so another reviewer")
    assert job.outcome.endswith("Nothing was imported.")
    assert not Recommendation.objects.exists() and not SourceDocument.objects.exists()
    assert job.input_file  # kept, for a rerun

    settings.ALLOW_SELF_REVIEW = True
    assert runner.job_requeue(job=job, user=reviewer)
    run_queued_jobs()
    job = fresh(job)
    assert (job.state, job.attempts, job.changed) == (Job.State.SUCCEEDED, 2, 5)
    assert Recommendation.objects.public().count() == 5


def test_a_row_changed_by_someone_else_while_it_writes_fails_the_job_with_nothing_written(make_staff, monkeypatch):
    import_file(content=SAMPLE)
    lines = SAMPLE.split(b"\r")
    extra = lines[1].replace(b"Consult the", b"Also consult the")
    updated = b"\r".join([*lines, extra]).replace(b"Noted,5", b"Accepted,5")  # one new row, one changed
    target = Recommendation.objects.get(text__contains="peaceful assemblies")

    def someone_else_saves(job, index):
        # Between the import's plan and its update of this row (the compare-and-set catches it).
        Recommendation.objects.filter(pk=target.pk).update(version=F("version") + 1)

    monkeypatch.setattr(imports, "after_write_batch", someone_else_saves)
    job = queue(make_staff("Reviewer"), content=updated)
    run_queued_jobs()
    job = fresh(job)
    assert job.state == Job.State.FAILED
    assert "was changed by someone else after this import was planned" in job.outcome
    assert job.outcome.endswith("Nothing was imported.") and job.changed == 0
    assert Recommendation.objects.count() == 5  # the new row was rolled back with the rest
    assert Recommendation.objects.get(pk=target.pk).state_response == Recommendation.StateResponse.NOTED


def test_a_stored_file_that_is_not_the_previewed_one_is_refused(make_staff):
    job = queue(make_staff("Editor"))
    with job.input_file.open("wb") as stream:
        stream.write(SAMPLE.replace(b"Noted", b"Accepted"))
    run_queued_jobs()
    job = fresh(job)
    assert (job.state, job.outcome) == (
        Job.State.FAILED,
        "Refused: The stored file is not the one that was previewed; upload it again.",
    )
    assert not Recommendation.objects.exists()
