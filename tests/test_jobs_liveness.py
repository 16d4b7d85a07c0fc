"""A live job never runs twice (recommendations/jobs/liveness.py): every run is numbered by its
claim and its writes to the job row are fenced by that number, so a run taken for dead and
superseded rolls its uncommitted work back and never overwrites the newer run's state; and a
long single-transaction job (the UPR import writing) is not queued again while it is alive —
a heartbeat thread on PostgreSQL, the write lock it holds on SQLite."""

import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import F

from recommendations.jobs import imports, runner
from recommendations.jobs.models import Job
from recommendations.jobs.review import review_job_queue
from recommendations.models import Recommendation, ReviewState, SourceDocument
from tests.factories import RecommendationFactory
from tests.jobs_helpers import fresh

pytestmark = pytest.mark.django_db(transaction=True)
SAMPLE = (Path(__file__).parent / "data" / "upr-sample-macroman.csv").read_bytes()  # 6 rows, 5 distinct
OPTIONS = {"format": "auto", "state_under_review": "", "encoding": None, "assessed_by": "", "assessed_on": ""}
on_postgresql = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite has one writer: no other connection can requeue or claim the job while its transaction is open",
)


def newer_run_takes_over(job_id):
    """What a second worker does with a job taken for dead: claims it (attempt + 1) and, here,
    finishes it."""
    Job.objects.filter(pk=job_id).update(
        attempts=F("attempts") + 1, state=Job.State.SUCCEEDED, outcome="The newer run's outcome."
    )


def in_another_thread(function):
    """Run ``function`` on another thread, with its own database connection; return its result."""
    result = {}

    def target():
        try:
            result["value"] = function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result["value"]


def queue_import(user):
    return imports.import_job_queue(content=SAMPLE, file_name="upr.csv", options=OPTIONS, user=user, rows=6)


def test_a_superseded_run_rolls_its_batch_back_and_leaves_the_newer_runs_state(settings, make_staff, monkeypatch):
    settings.JOBS_BATCH_SIZE, settings.JOBS_BATCH_SECONDS = 2, 600
    author = make_staff("Editor")
    drafts = [RecommendationFactory(review_state=ReviewState.DRAFT, created_by=author) for _ in range(4)]
    job = review_job_queue(kind=Job.Kind.PUBLISH, ids=[r.pk for r in drafts], user=make_staff("Reviewer"))

    def after_row(job, index):
        if index == 0:  # once the first batch commits, another worker takes the job over
            from django.db import transaction

            transaction.on_commit(lambda: newer_run_takes_over(job.pk))

    monkeypatch.setattr(runner, "after_row", after_row)
    assert runner.job_run(job_id=job.pk) == "superseded"
    job = fresh(job)
    # The second batch was written, then rolled back by the fenced progress update.
    assert Recommendation.objects.filter(review_state=ReviewState.PUBLISHED).count() == 2
    assert (job.state, job.outcome, job.attempts, job.done) == (Job.State.SUCCEEDED, "The newer run's outcome.", 2, 2)


def test_an_import_superseded_while_it_planned_writes_nothing(make_staff, monkeypatch):
    job = queue_import(make_staff("Editor"))
    real_plan = imports.plan_import

    def plan_then_lose_the_job(**kwargs):
        plan = real_plan(**kwargs)
        newer_run_takes_over(job.pk)
        return plan

    monkeypatch.setattr(imports, "plan_import", plan_then_lose_the_job)
    assert runner.job_run(job_id=job.pk) == "superseded"
    job = fresh(job)
    assert (job.state, job.outcome, job.attempts) == (Job.State.SUCCEEDED, "The newer run's outcome.", 2)
    assert not Recommendation.objects.exists() and not SourceDocument.objects.exists()


@on_postgresql
def test_an_import_superseded_while_it_writes_rolls_everything_back(make_staff, monkeypatch):
    job = queue_import(make_staff("Editor"))

    def taken_over_mid_write(running, index):
        if index == 0:
            in_another_thread(lambda: newer_run_takes_over(running.pk))

    monkeypatch.setattr(imports, "after_write_batch", taken_over_mid_write)
    assert runner.job_run(job_id=job.pk) == "superseded"
    job = fresh(job)
    assert (job.state, job.outcome, job.attempts) == (Job.State.SUCCEEDED, "The newer run's outcome.", 2)
    assert not Recommendation.objects.exists() and not SourceDocument.objects.exists()
    assert job.input_file  # the superseded run did not take the file from the newer one


def test_a_long_import_is_not_queued_again_while_it_writes(settings, make_staff, monkeypatch):
    """The import's one transaction lasts past JOBS_STALE_AFTER; asking to run it again from
    another connection meanwhile is refused, and the job ends done, run once."""
    settings.JOBS_STALE_AFTER, settings.JOBS_HEARTBEAT_SECONDS = 0.6, 0.1
    editor = make_staff("Editor")
    job = queue_import(editor)
    answers = []

    def slow_write(running, index):
        if index == 0:
            time.sleep(1.5)  # past the stale limit, inside the import's transaction
            answers.append(in_another_thread(lambda: runner.job_requeue(job=Job.objects.get(pk=running.pk))))

    monkeypatch.setattr(imports, "after_write_batch", slow_write)
    outcome = runner.job_run(job_id=job.pk)
    job = fresh(job)
    assert answers == [False]
    assert outcome.startswith("Imported upr.csv") and (job.state, job.attempts, job.changed) == (
        Job.State.SUCCEEDED,
        1,
        5,
    )
    assert Recommendation.objects.count() == 5


@on_postgresql
def test_without_the_heartbeat_a_long_import_is_requeued_and_the_old_run_rolls_back(settings, make_staff, monkeypatch):
    """The same long import with the heartbeat off (JOBS_HEARTBEAT_SECONDS = 0) looks dead and is
    queued again: the fence rolls the old run's writes back, and the rerun imports it all once."""
    settings.JOBS_STALE_AFTER, settings.JOBS_HEARTBEAT_SECONDS = 0.6, 0
    job = queue_import(make_staff("Editor"))
    answers = []

    def slow_write(running, index):
        if index == 0 and running.attempts == 1:
            time.sleep(1.5)
            answers.append(in_another_thread(lambda: runner.job_requeue(job=Job.objects.get(pk=running.pk))))

    monkeypatch.setattr(imports, "after_write_batch", slow_write)
    assert runner.job_run(job_id=job.pk) == "superseded"
    assert answers == [True] and fresh(job).state == Job.State.QUEUED
    assert not Recommendation.objects.exists()
    assert runner.job_run(job_id=job.pk).startswith("Imported upr.csv")
    job = fresh(job)
    assert (job.state, job.attempts, job.changed) == (Job.State.SUCCEEDED, 2, 5)
    assert Recommendation.objects.count() == 5


def test_a_failure_of_a_superseded_run_does_not_fail_the_newer_one(make_staff, monkeypatch):
    job = queue_import(make_staff("Editor"))

    def plan_lose_then_break(**kwargs):
        newer_run_takes_over(job.pk)
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(imports, "plan_import", plan_lose_then_break)
    with pytest.raises(RuntimeError):
        runner.job_run(job_id=job.pk)
    job = fresh(job)
    assert (job.state, job.outcome) == (Job.State.SUCCEEDED, "The newer run's outcome.")
