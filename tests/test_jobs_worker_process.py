"""A real worker process (``manage.py db_worker``) killed in the middle of a job: the database holds
whole batches only — each row either published with all its citations confirmed, or untouched —
the job's progress says exactly how far it got, and a rerun completes it. An import, one
transaction, leaves nothing of itself when killed half-way, and a rerun imports it all.

Runs against a database of its own (a SQLite file, or a new PostgreSQL database when the suite runs
on PostgreSQL), migrated by a subprocess, since the worker is another process; the scenario's steps
are in tests/worker_scenario.py."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = str(ROOT / "tests" / "worker_scenario.py")
BATCH = 4


@pytest.fixture
def worker_database(tmp_path):
    """A DATABASE_URL for an empty database of the suite's kind, dropped afterwards."""
    settings_dict = connection.settings_dict
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        return
    import psycopg

    name = f"tracker_worker_{uuid.uuid4().hex[:12]}"
    params = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    yield f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url):
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "tracker.settings.test",
        "DATABASE_URL": database_url,
        "JOBS_BATCH_SIZE": str(BATCH),
        "JOBS_BATCH_SECONDS": "600",  # batches of exactly BATCH rows, however slow the machine
        "JOBS_STALE_AFTER": "0",
    }


def run(env, *args):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def scenario(env, step):
    return json.loads(run(env, SCENARIO, step).strip().splitlines()[-1])


def test_killed_worker_leaves_whole_batches_and_a_rerun_completes(worker_database, tmp_path):
    env = environment(worker_database)
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    scenario(env, "setup")  # ten drafts, each with a citation, and a queued publish job

    marker = tmp_path / "paused"
    pause_at = BATCH + 2  # the third row of the second batch: two of its rows are written, uncommitted
    worker = subprocess.Popen([sys.executable, SCENARIO, "worker", str(pause_at), str(marker)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert worker.poll() is None, "the worker stopped before reaching the middle of the job"
            assert time.monotonic() < deadline, "the worker never reached the middle of the job"
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)

    killed = scenario(env, "report")
    assert (killed["state"], killed["done"], killed["cursor"], killed["changed"]) == ("running", BATCH, BATCH, BATCH)
    published = [row for row in killed["rows"] if row["published"]]
    assert len(published) == BATCH  # the first batch, and nothing of the second
    for row in killed["rows"]:
        # Each row all or nothing: published with every citation confirmed, or untouched.
        assert all(row["confirmed"]) if row["published"] else not any(row["confirmed"]) and row["version"] == 1

    assert scenario(env, "requeue") == {"requeued": True}
    run(env, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "0")
    rerun = scenario(env, "report")
    assert (rerun["state"], rerun["done"], rerun["changed"], rerun["attempts"]) == ("succeeded", 10, 10, 2)
    assert all(row["published"] and all(row["confirmed"]) for row in rerun["rows"])
    # The first batch was not published twice.
    assert {row["version"] for row in rerun["rows"]} == {2}


IMPORT_SCENARIO = str(ROOT / "tests" / "import_worker_scenario.py")


def test_killed_worker_leaves_nothing_of_an_import_and_a_rerun_imports_it_all(worker_database, tmp_path):
    env = {**environment(worker_database), "JOBS_INPUT_DIR": str(tmp_path / "job-inputs")}
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    # The admin's confirmation: the file stored with the job, the import queued.
    before = json.loads(run(env, IMPORT_SCENARIO, "setup").strip().splitlines()[-1])

    marker = tmp_path / "paused"
    # After the second of three batches: four of the five recommendations written, uncommitted.
    worker = subprocess.Popen([sys.executable, IMPORT_SCENARIO, "worker", "1", str(marker)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            assert worker.poll() is None, "the worker stopped before reaching the middle of the import"
            assert time.monotonic() < deadline, "the worker never reached the middle of the import"
            time.sleep(0.1)
        assert marker.read_text() == "4"  # the worker had written part of the import when it was killed
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)

    killed = json.loads(run(env, IMPORT_SCENARIO, "report").strip().splitlines()[-1])
    assert killed["state"] == "running" and killed["attempts"] == 1 and killed["input_file"]
    # Nothing of it: no recommendation, citation, source document or new actor.
    assert (killed["recommendations"], killed["citations"], killed["documents"]) == (0, 0, 0)
    assert killed["actors"] == before["actors"] and killed["changed"] == 0

    rerun = json.loads(run(env, IMPORT_SCENARIO, "rerun").strip().splitlines()[-1])  # queued again, run
    # Everything of it: five recommendations, each citing the file, stored once as a document.
    assert (rerun["state"], rerun["attempts"], rerun["done"], rerun["changed"]) == ("succeeded", 2, 6, 5)
    assert (rerun["recommendations"], rerun["citations"], rerun["documents"]) == (5, 5, 1)
    assert rerun["cited"] == rerun["ids"] == rerun["changed_ids"]
    assert not rerun["input_file"]  # imported: the stored upload is removed
