"""The OpenAPI schema: it validates, the docs are served without an external CDN, and
schemathesis finds no server error and no response that breaks the schema in any operation."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert ("/api/v1/status-updates/", "post") in operations
    assert ("/api/v1/stats/timeline/", "get") in operations


def test_schema_documents_the_filters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/recommendations/"]["get"]["parameters"]}
    assert {"kind", "status", "theme", "theme_id", "actor", "legal_provision", "made_after", "made_before"} <= set(
        parameters
    )
    assert {"due_before", "overdue", "q", "ordering", "as_of", "updated_after", "page", "page_size"} <= set(parameters)
    assert "no_status" in parameters["status"]["schema"]["items"]["enum"]
    assert parameters["as_of"]["schema"]["format"] == "date"
    stats = {p["name"] for p in schema["paths"]["/api/v1/stats/"]["get"]["parameters"]}
    assert {"group_by", "as_of", "theme", "status"} <= stats


def test_schema_and_docs_are_served_without_a_cdn(client):
    assert client.get("/api/schema/").status_code == 200
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url).content.decode()
        assert "drf_spectacular_sidecar" in page
        assert "cdn" not in page.lower()


# ── schemathesis, in process, against the seed data ────────────────────────────────────────

CREDENTIALS = {}


@pytest.fixture
def api_schema(seeded, editor):
    """The live schema of the app, served in process; requests run inside the test's transaction."""
    CREDENTIALS["Authorization"] = f"Token {Token.objects.create(user=editor).key}"
    # As Django's own test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Examples per operation and mode: enough to find the traps (bad dates, huge numbers, NUL
# bytes, wrong types) while the whole test stays well under a minute.
EXAMPLES = 20


def test_no_operation_fails_or_breaks_its_schema(api_schema):
    """Valid and invalid requests to every operation, as a user allowed to record status
    updates (so writes reach the service): never a 5xx, never a response outside the schema."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def check(case):
                response = case.call(headers=CREDENTIALS)
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

            check()
