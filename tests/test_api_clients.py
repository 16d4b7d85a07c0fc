"""What generated clients rely on: tokens as they send them, JSON bodies, and a schema that
declares everything the API answers (tests/test_generated_client.py uses a real one)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recommendations.models import ReviewState
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db

DRAFTS = "/api/v1/recommendations/?review_state=draft"


@pytest.fixture
def staff_token(make_staff):
    return Token.objects.create(user=make_staff("Viewer")).key


@pytest.fixture
def draft():
    return RecommendationFactory(review_state=ReviewState.DRAFT)


def get(url, authorization=None):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get(url)


# ── Tokens ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("prefix", ["Token", "Bearer", "bearer", "TOKEN"])
def test_a_token_is_read_after_either_prefix(staff_token, draft, prefix):
    response = get(DRAFTS, f"{prefix} {staff_token}")
    assert response.status_code == 200
    assert response.json()["count"] == 1  # the staff user sees the draft: the token was used


def test_without_credentials_the_client_is_anonymous(draft):
    response = get(DRAFTS)
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    "header",
    [
        "Bearer 0123456789abcdef0123456789abcdef01234567",  # unknown token
        "Token",  # no token
        "Bearer",
        "Bearer two words",
        "Basic dXNlcjpwYXNz",  # another scheme
        "0123456789abcdef0123456789abcdef01234567",  # a token without a prefix
        "Bearer t\u00f6ken",  # not ASCII
    ],
)
def test_credentials_that_are_not_a_known_token_are_a_401_not_anonymous(draft, header):
    response = get(DRAFTS, header)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_a_401(staff_token):
    Token.objects.filter(key=staff_token).delete()
    assert get("/api/v1/themes/", f"Bearer {staff_token}").status_code == 401


def test_an_inactive_users_token_is_a_401(staff_token):
    Token.objects.get(key=staff_token).user.__class__.objects.update(is_active=False)
    assert get("/api/v1/themes/", f"Token {staff_token}").status_code == 401


# ── Bodies ───────────────────────────────────────────────────────────────────────────────


def test_writes_take_json_only(editor, recommendation):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=editor).key}")
    body = {"recommendation": recommendation.pk, "status": "stalled", "as_of": "2020-01-01", "summary": "x"}
    multipart = client.post("/api/v1/status-updates/", body, format="multipart")
    assert multipart.status_code == 415
    assert "multipart/form-data" in multipart.json()["detail"]
    form = client.post("/api/v1/status-updates/", "status=stalled", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415


# ── The schema ───────────────────────────────────────────────────────────────────────────

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_request_bodies_are_json_only(schema):
    bodies = [operation["requestBody"] for _, _, operation in operations(schema) if "requestBody" in operation]
    assert len(bodies) >= 7  # create, two PATCHes, the review actions with a body
    assert all(set(body["content"]) == {"application/json"} for body in bodies)


def test_reads_need_no_credentials_and_writes_a_token_or_session(schema):
    for path, method, operation in operations(schema):
        # Reads, and queueing an export job (it changes no data; the public may export published
        # rows), need no credentials: no requirement, anonymous access.
        if method == "get" or (method == "post" and path.endswith("/export/jobs/")):
            assert not operation.get("security"), path
        else:
            assert operation["security"] == [{"tokenAuth": []}, {"cookieAuth": []}], (path, method)
    token = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (token["type"], token["scheme"]) == ("http", "bearer")


def test_every_operation_declares_its_errors_with_their_bodies(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"400", "401", "414", "429"}
        if "{id}" in path:
            expected.add("404")
        if method != "get":
            expected |= {"403", "413", "415"} | ({"412"} if "{id}" in path else set())
        if method == "patch":
            expected.add("428")
        assert expected <= set(responses), (path, method, expected - set(responses))
        assert responses["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationError"
        }
        for code in expected - {"400"}:
            assert responses[code]["content"]["application/json"]["schema"] == error, (path, method, code)
        assert "Retry-After" in responses["429"]["headers"]


def test_rows_with_a_version_declare_their_etag(schema):
    paths = schema["paths"]
    for path, method, code in [
        ("/api/v1/recommendations/{id}/", "get", "200"),
        ("/api/v1/recommendations/{id}/", "patch", "200"),
        ("/api/v1/recommendations/{id}/publish/", "post", "200"),
        ("/api/v1/recommendations/{id}/archive/", "post", "200"),
        ("/api/v1/status-updates/", "post", "201"),
        ("/api/v1/status-updates/{id}/", "get", "200"),
        ("/api/v1/status-updates/{id}/unpublish/", "post", "200"),
    ]:
        assert "ETag" in paths[path][method]["responses"][code]["headers"], (path, method)
    assert "headers" not in paths["/api/v1/themes/{id}/"]["get"]["responses"]["200"]


def test_review_actions_answer_with_the_row(schema):
    paths = schema["paths"]
    for path, serializer in [
        ("/api/v1/recommendations/{id}/publish/", "RecommendationDetail"),
        ("/api/v1/recommendations/{id}/unpublish/", "RecommendationDetail"),
        ("/api/v1/recommendations/{id}/archive/", "RecommendationDetail"),
        ("/api/v1/recommendations/{id}/send-back/", "RecommendationDetail"),
        ("/api/v1/status-updates/{id}/publish/", "StatusUpdate"),
        ("/api/v1/status-updates/{id}/send-back/", "StatusUpdate"),
    ]:
        content = paths[path]["post"]["responses"]["200"]["content"]
        assert content == {"application/json": {"schema": {"$ref": f"#/components/schemas/{serializer}"}}}


def test_csv_has_operations_of_its_own(schema, seeded):
    paths = schema["paths"]
    for path in ("/api/v1/recommendations/", "/api/v1/themes/", "/api/v1/stats/", "/api/v1/stats/timeline/"):
        json_operation = paths[path]["get"]
        assert set(json_operation["responses"]["200"]["content"]) == {"application/json"}
        assert "format" not in {parameter["name"] for parameter in json_operation.get("parameters", [])}
        csv_path = path.removesuffix("/") + ".csv"
        csv_operation = paths[csv_path]["get"]
        assert csv_operation["responses"]["200"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
        assert csv_operation["responses"]["400"] == json_operation["responses"]["400"]
        response = APIClient().get(csv_path)
        assert response.status_code == 200, csv_path
        assert response["Content-Type"].startswith("text/csv")
    bad = APIClient().get("/api/v1/recommendations.csv", {"kind": "bogus"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_the_list_of_recommendations_is_typed_short_or_full(schema):
    content = schema["paths"]["/api/v1/recommendations/"]["get"]["responses"]["200"]["content"]
    assert [option["$ref"] for option in content["application/json"]["schema"]["anyOf"]] == [
        "#/components/schemas/PaginatedRecommendationDetailList",
        "#/components/schemas/PaginatedRecommendationList",
    ]
    full = schema["components"]["schemas"]["PaginatedRecommendationDetailList"]
    assert full["properties"]["results"]["items"] == {"$ref": "#/components/schemas/RecommendationDetail"}


def test_enum_values_have_readable_names(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/recommendations/"]["get"]["parameters"]}
    ordering = parameters["ordering"]["schema"]["items"]
    names = dict(zip(ordering["enum"], ordering["x-enum-varnames"], strict=True))
    assert names["-made_on"] == "MADE_ON_DESC" and names["made_on"] == "MADE_ON"

    def enums(node):
        if isinstance(node, dict):
            if node.get("enum"):
                yield node
            for child in node.values():
                yield from enums(child)
        elif isinstance(node, list):
            for child in node:
                yield from enums(child)

    for node in enums(schema):
        values = [value for value in node["enum"] if value is not None]
        if any(not str(value)[:1].isalpha() for value in values):
            assert len(node["x-enum-varnames"]) == len(values)
            assert all(name[:1].isalpha() for name in node["x-enum-varnames"])


def test_a_url_under_api_that_matches_no_route_is_a_json_404(client):
    response = client.get("/api/v1/actors/1.5/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_filters_and_pages_may_be_sent_empty(schema, api_client):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/recommendations/"]["get"]["parameters"]}
    assert parameters["updated_after"]["allowEmptyValue"] and parameters["page"]["allowEmptyValue"]
    assert parameters["full"]["allowEmptyValue"]
    response = api_client.get("/api/v1/recommendations/", {"q": "", "updated_after": "", "page": "", "full": ""})
    assert response.status_code == 200
    # A list filter sent empty asks for the value "", which is no theme: a 400, so not declared.
    assert "allowEmptyValue" not in parameters["theme"]
    assert api_client.get("/api/v1/recommendations/", {"theme": ""}).status_code == 400
    timeline = {p["name"]: p for p in schema["paths"]["/api/v1/stats/timeline/"]["get"]["parameters"]}
    assert timeline["start"]["allowEmptyValue"] and timeline["interval"]["allowEmptyValue"]
    assert api_client.get("/api/v1/stats/timeline/", {"start": "", "interval": ""}).json()["interval"] == "month"
