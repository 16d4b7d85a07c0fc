"""The other side of the import test in tests/test_jobs_worker_process.py, run as separate processes
against a database of their own (``DATABASE_URL``): ``setup`` queues the import of a UPR file as
the admin's confirmation does, ``worker`` runs the real ``db_worker`` command but stops for good
after the import has written part of its rows, inside its transaction (so that the test can kill
it there), ``rerun`` queues the dead job again and runs the worker until it is done, and
``report`` prints what the database holds, as JSON."""

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

from recommendations.importers import pipeline  # noqa: E402
from recommendations.jobs import imports, runner  # noqa: E402
from recommendations.jobs.models import Job  # noqa: E402
from recommendations.models import Actor, Citation, Recommendation, SourceDocument  # noqa: E402
from recommendations.roles import EDITOR  # noqa: E402

SAMPLE = Path(__file__).resolve().parent / "data" / "upr-sample-macroman.csv"  # 6 rows, 5 distinct
WRITE_BATCH = 2  # rows per batch the import writes: three batches for the sample


def setup():
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user("worker-importer", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    job = imports.import_job_queue(
        content=SAMPLE.read_bytes(),
        file_name=SAMPLE.name,
        options={"format": "auto", "state_under_review": "", "encoding": None, "assessed_by": "", "assessed_on": ""},
        user=editor,
        rows=6,
    )
    print(json.dumps({"job": job.pk, "actors": Actor.objects.count()}))


def worker(pause_after: int, marker: str):
    def stop_for_good(job, index):
        if index == pause_after:
            Path(marker).write_text(str(Recommendation.objects.count()))  # seen inside the transaction
            time.sleep(600)  # until the test kills this process

    pipeline.BATCH_SIZE = WRITE_BATCH
    imports.after_write_batch = stop_for_good
    call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", verbosity=0)


def rerun():
    """Queue the dead job again and run the worker until nothing is queued, then report."""
    if not runner.job_requeue(job=Job.objects.get()):
        raise SystemExit("The job was not queued again.")
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    report()


def report():
    job = Job.objects.get()
    print(
        json.dumps(
            {
                "state": job.state,
                "done": job.done,
                "changed": job.changed,
                "attempts": job.attempts,
                "outcome": job.outcome,
                "input_file": bool(job.input_file),
                "recommendations": Recommendation.objects.count(),
                "citations": Citation.objects.count(),
                "documents": SourceDocument.objects.count(),
                "actors": Actor.objects.count(),
                "cited": sorted(Citation.objects.values_list("recommendation_id", flat=True)),
                "ids": sorted(Recommendation.objects.values_list("pk", flat=True)),
                "changed_ids": sorted(job.changed_ids),
            }
        )
    )


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "worker":
        worker(int(sys.argv[2]), sys.argv[3])
    else:
        {"setup": setup, "rerun": rerun, "report": report}[command]()
