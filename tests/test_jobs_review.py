"""Bulk publish / withdraw / archive as background jobs: queued, run by the worker, progress
recorded, idempotent, nothing half-written when a batch fails, and only for reviewers."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from recommendations.jobs import runner
from recommendations.jobs.models import Job
from recommendations.jobs.review import review_job_queue
from recommendations.models import Recommendation, ReviewState
from tests.factories import RecommendationFactory
from tests.jobs_helpers import fresh, run_worker

CHANGELIST = reverse("admin:recommendations_recommendation_changelist")


@pytest.fixture
def small_jobs(settings):
    settings.JOBS_INLINE_LIMIT = 3
    settings.JOBS_BATCH_SIZE, settings.JOBS_BATCH_SECONDS = 2, 600
    return settings


@pytest.fixture
def drafts(db, make_staff):
    author = make_staff("Editor")
    return [RecommendationFactory(review_state=ReviewState.DRAFT, created_by=author) for _ in range(7)]


def published_count():
    return Recommendation.objects.filter(review_state=ReviewState.PUBLISHED).count()


@pytest.mark.django_db(transaction=True)
class TestPublishJob:
    def test_worker_publishes_every_row_and_records_progress(self, small_jobs, drafts, make_staff):
        reviewer = make_staff("Reviewer")
        job = review_job_queue(kind=Job.Kind.PUBLISH, ids=[r.pk for r in drafts], user=reviewer)
        assert fresh(job).state == Job.State.QUEUED and job.task_id  # queued on the task backend
        assert DBTaskResult.objects.filter(id=job.task_id).exists()
        run_worker()
        job = fresh(job)
        assert (job.state, job.done, job.total, job.changed, job.errors) == (Job.State.SUCCEEDED, 7, 7, 7, [])
        assert job.started_at and job.finished_at and job.attempts == 1
        assert job.outcome == "7 of 7 recommendations published."
        assert sorted(job.changed_ids) == sorted(r.pk for r in drafts)
        assert published_count() == 7
        assert set(Recommendation.objects.values_list("published_by", flat=True)) == {reviewer.pk}

    def test_a_second_run_of_the_same_job_changes_nothing(self, small_jobs, drafts, make_staff):
        job = review_job_queue(kind=Job.Kind.PUBLISH, ids=[r.pk for r in drafts], user=make_staff("Reviewer"))
        run_worker()
        versions = dict(Recommendation.objects.values_list("pk", "version"))
        runner.run_job.enqueue(job.pk)  # a duplicate task: the job is done, so it does nothing
        run_worker()
        assert fresh(job).attempts == 1
        assert dict(Recommendation.objects.values_list("pk", "version")) == versions

    def test_a_failure_half_way_leaves_whole_batches_and_a_rerun_completes(
        self, small_jobs, drafts, make_staff, monkeypatch
    ):
        reviewer = make_staff("Reviewer")
        job = review_job_queue(kind=Job.Kind.PUBLISH, ids=[r.pk for r in drafts], user=reviewer)

        def fail_on_the_fourth_row(job, index):
            if index == 3:
                raise RuntimeError("the disk is full")

        monkeypatch.setattr(runner, "after_row", fail_on_the_fourth_row)
        run_worker()
        job = fresh(job)
        # The first batch (rows 0–1) committed; the second (2–3) rolled back with its progress.
        assert (job.state, job.done, job.cursor, published_count()) == (Job.State.FAILED, 2, 2, 2)
        assert "the disk is full" in job.outcome
        monkeypatch.setattr(runner, "after_row", lambda job, index: None)
        assert runner.job_requeue(job=job, user=reviewer)
        run_worker()
        job = fresh(job)
        assert (job.state, job.done, job.changed, job.attempts, published_count()) == (Job.State.SUCCEEDED, 7, 7, 2, 7)

    def test_a_row_the_rules_refuse_is_listed_and_the_others_go_ahead(self, small_jobs, drafts, make_staff):
        reviewer = make_staff("Reviewer")
        own = RecommendationFactory(review_state=ReviewState.DRAFT, created_by=reviewer, title="My own draft")
        job = review_job_queue(kind=Job.Kind.PUBLISH, ids=[own.pk, *(r.pk for r in drafts)], user=reviewer)
        run_worker()
        job = fresh(job)
        assert (job.state, job.done, job.changed) == (Job.State.SUCCEEDED, 8, 7)
        assert job.errors[0]["row"] == "My own draft" and "another reviewer must confirm" in job.errors[0]["error"]
        assert job.outcome == "7 of 8 recommendations published; 1 refused (see the errors)."
        own.refresh_from_db()
        assert own.review_state == ReviewState.DRAFT

    def test_archive_job_from_the_admin_list(self, small_jobs, drafts, make_staff, client):
        client.force_login(make_staff("Reviewer"))
        response = client.post(
            CHANGELIST, {"action": "archive", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: [drafts[0].pk]}
        )
        assert response.status_code == 302
        job = Job.objects.get()
        assert (job.kind, job.total) == (Job.Kind.ARCHIVE, 7)
        run_worker()
        assert Recommendation.objects.filter(archived_at__isnull=False).count() == 7
        page = client.get(reverse("admin:recommendations_job_change", args=[job.pk]))
        assert "7 / 7 (100%)" in page.content.decode()
        assert f"{CHANGELIST}?job={job.pk}" in page.content.decode()  # links to what it changed
        changed = client.get(f"{CHANGELIST}?job={job.pk}&archived=yes")
        assert sorted(row.pk for row in changed.context["cl"].result_list) == sorted(r.pk for r in drafts)


@pytest.mark.django_db
class TestQueueing:
    def test_editor_cannot_queue_a_bulk_publish(self, drafts, make_staff):
        with pytest.raises(PermissionDenied):
            review_job_queue(kind=Job.Kind.PUBLISH, ids=[r.pk for r in drafts], user=make_staff("Editor"))
        assert not Job.objects.exists()

    def test_large_publish_asks_first_then_queues(self, small_jobs, drafts, client_as):
        client = client_as("Reviewer")
        data = {"action": "publish", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: [drafts[0].pk]}
        page = client.post(CHANGELIST + "?review_state__exact=draft", data)
        assert page.status_code == 200
        assert "Publish 7 recommendations" in page.content.decode()
        assert not Job.objects.exists()
        done = client.post(CHANGELIST + "?review_state__exact=draft", {**data, "confirm_bulk": "yes"})
        assert done.status_code == 302
        job = Job.objects.get()
        assert (job.kind, job.total, job.state) == (Job.Kind.PUBLISH, 7, Job.State.QUEUED)
        assert sorted(job.params["ids"]) == sorted(r.pk for r in drafts)
        assert published_count() == 0  # nothing done inside the request

    def test_a_small_selection_is_done_at_once_without_a_job(self, small_jobs, drafts, client_as):
        client = client_as("Reviewer")
        data = {"action": "archive", "index": "0", ACTION_CHECKBOX_NAME: [drafts[0].pk, drafts[1].pk]}
        assert client.post(CHANGELIST, data).status_code == 302
        assert not Job.objects.exists()
        assert Recommendation.objects.filter(archived_at__isnull=False).count() == 2

    def test_only_the_starter_may_run_a_failed_job_again(self, drafts, make_staff):
        job = review_job_queue(kind=Job.Kind.PUBLISH, ids=[drafts[0].pk], user=make_staff("Reviewer"))
        Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED)
        with pytest.raises(PermissionDenied):
            runner.job_requeue(job=job, user=make_staff("Reviewer", "another-reviewer"))

    def test_jobs_list_and_page_for_a_viewer(self, drafts, make_staff, client_as):
        job = review_job_queue(kind=Job.Kind.PUBLISH, ids=[r.pk for r in drafts], user=make_staff("Reviewer"))
        client = client_as("Viewer")
        listing = client.get(reverse("admin:recommendations_job_changelist"))
        assert listing.status_code == 200 and "0 / 7 (0%)" in listing.content.decode()
        page = client.get(reverse("admin:recommendations_job_change", args=[job.pk]))
        assert page.status_code == 200
        assert 'http-equiv="refresh"' in page.content.decode()  # refreshes itself until the job is done
