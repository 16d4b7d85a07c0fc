"""A real generated client: openapi-python-client builds a Python package from the live
``/api/schema/``, and ``client_script.py`` uses only that package to read, write and read errors.

The test fails if generation warns (a part of the schema the generator could not turn into code)
or if any call needs a workaround: the script runs with ``raise_on_unexpected_status`` and checks
the type of every answer, so an undeclared status, a body that does not parse as declared, a
token the server ignores or a write body the client cannot encode all fail it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rest_framework.authtoken.models import Token

from recommendations.models import ReviewState, StatusUpdate

SCRIPT = Path(__file__).with_name("client_script.py")
# Generation's only post-hook is ruff format, which is not needed to import the package.
CONFIG = "post_hooks: []\n"
PACKAGE = "tracker_client"  # the name client_script.py imports


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_reads_writes_and_reads_errors_without_workarounds(
    live_server, seeded, make_staff, tmp_path
):
    schema = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(schema.text)
    (tmp_path / "config.yaml").write_text(CONFIG)

    # --meta none: only the package, written to tracker_client/ (importable from tmp_path).
    arguments = ["--path", "schema.json", "--config", "config.yaml", "--meta", "none", "--output-path", PACKAGE]
    generated = run([sys.executable, "-m", "openapi_python_client", "generate", *arguments], cwd=tmp_path)
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "warning" not in output.lower() and "error" not in output.lower(), output

    editor = make_staff("Editor")
    environment = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "TRACKER_URL": live_server.url,
        "TRACKER_TOKEN": Token.objects.create(user=editor).key,
        "TRACKER_REVIEWER_TOKEN": Token.objects.create(user=make_staff("Reviewer")).key,
    }
    script = run([sys.executable, str(SCRIPT)], cwd=tmp_path, env=environment)
    assert script.returncode == 0, script.stdout + script.stderr
    seen = json.loads(script.stdout)

    # What the script read is what the database holds (seed data: 33 items, 5 documents).
    assert seen["pages"] == -(-seen["listed"] // 5) and seen["listed"] > 5
    assert seen["total"] == 33 and seen["themes"] > 5
    assert (seen["timeline_points"], seen["timeline_interval"]) == (60, "month")
    assert seen["csv_rows"] == 33
    assert seen["detail_etag"].startswith('"')

    # What it wrote is there: recorded by the token's user with its citation, changed once, then
    # published by the reviewer, who confirmed the citation.
    update = StatusUpdate.objects.get(pk=seen["created"])
    assert (update.recorded_by, update.review_state) == (editor, ReviewState.PUBLISHED)
    assert update.summary == "Corrected through a generated client."
    assert update.citations.get().confirmed_by.username == "reviewer"
    assert seen["version"] == update.version == 3
    assert seen["published_etag"] == '"3"'
    assert seen["created_etag"] == '"1"'
    assert "has changed since you read it" in seen["stale"]

    # The errors came back as typed objects, with the service's messages.
    assert seen["quote_error"].startswith("This quote does not occur in the document")
    assert "no-such-document.txt" in seen["document_error"]
    assert seen["summary_error"] == "This field may not be blank."
    assert "no-such-theme" in seen["filter_error"]
