"""The other side of tests/test_jobs_worker_process.py, run as separate processes against a database
of their own (``DATABASE_URL``): ``setup`` makes drafts with evidence and queues a publish job,
``worker`` runs the real ``db_worker`` command but stops for good inside a batch's transaction
(so that the test can kill it there), ``requeue`` queues the dead job again and ``report`` prints
what the database holds, as JSON."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from recommendations import services  # noqa: E402
from recommendations.jobs import runner  # noqa: E402
from recommendations.jobs.models import Job  # noqa: E402
from recommendations.jobs.review import review_job_queue  # noqa: E402
from recommendations.models import Citation, Recommendation, ReviewState  # noqa: E402
from recommendations.roles import EDITOR, REVIEWER  # noqa: E402

ROWS = 10


def setup():
    from django.contrib.auth.models import Group, User

    from tests.factories import RecommendationFactory, SourceDocumentFactory

    editor = User.objects.create_user("worker-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    reviewer = User.objects.create_user("worker-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    document = SourceDocumentFactory()
    ids = []
    for _ in range(ROWS):
        draft = RecommendationFactory(review_state=ReviewState.DRAFT, created_by=editor)
        services.citation_create(document=document, quote="the reform   had stalled", recommendation=draft)
        ids.append(draft.pk)
    job = review_job_queue(kind=Job.Kind.PUBLISH, ids=ids, user=reviewer)
    print(json.dumps({"job": job.pk}))


def worker(pause_at: int, marker: str):
    def stop_for_good(job, index):
        if index == pause_at:
            Path(marker).write_text(str(index))
            time.sleep(600)  # inside the batch's open transaction, until the test kills this process

    runner.after_row = stop_for_good
    call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", verbosity=0)


def requeue():
    job = Job.objects.get()
    print(json.dumps({"requeued": runner.job_requeue(job=job)}))


def report():
    job = Job.objects.get()
    rows = []
    for recommendation in Recommendation.objects.order_by("pk"):
        citations = Citation.objects.filter(recommendation=recommendation)
        rows.append(
            {
                "published": recommendation.review_state == ReviewState.PUBLISHED,
                "confirmed": [c.confirmed_at is not None for c in citations],
                "version": recommendation.version,
            }
        )
    print(
        json.dumps(
            {
                "state": job.state,
                "done": job.done,
                "cursor": job.cursor,
                "changed": job.changed,
                "attempts": job.attempts,
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "worker":
        worker(int(sys.argv[2]), sys.argv[3])
    else:
        {"setup": setup, "requeue": requeue, "report": report}[command]()
