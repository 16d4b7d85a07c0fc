"""Request bodies (issue 8): read only after authentication, permissions and throttling; capped in
size, nesting, list lengths and text lengths; every string checked for what cannot be stored; an
unknown field named. Whatever the body, the answer is a 4xx, never a 500, and the work a request
may cause is bounded (counted in database queries; the body itself is capped in bytes)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from recommendations.api.parsers import json_nesting_depth
from recommendations.models import (
    MAX_CITATIONS_PER_STATUS_UPDATE,
    MAX_RECOMMENDATION_TEXT_LENGTH,
    MAX_SUMMARY_LENGTH,
    StatusUpdate,
)
from tests.factories import ActorFactory, RecommendationFactory, SourceDocumentFactory
from tests.test_api_write import token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/status-updates/"
QUOTE = "the reform had stalled"


def nested(depth):
    return "[" * depth + "]" * depth


def raw_client(client=None):
    """A client that returns a 500 as a response instead of raising the view's exception."""
    client = client or APIClient()
    client.raise_request_exception = False
    return client


@pytest.fixture
def document():
    return SourceDocumentFactory(external_id="report-2020.txt")


@pytest.fixture
def payload(recommendation, document):
    return {
        "recommendation": recommendation.pk,
        "status": "stalled",
        "as_of": "2020-02-01",
        "summary": "Observers say the reform stalled.",
        "assessor_kind": "ngo",
        "citations": [{"document": document.external_id, "quote": QUOTE}],
    }


@pytest.fixture
def reviewer_client(make_staff):
    return raw_client(token_client(make_staff("Reviewer")))


def test_json_nesting_depth_counts_brackets_outside_strings():
    assert json_nesting_depth(b'{"a": [1, {"b": "[[[[[["}]}') == 3
    assert json_nesting_depth(b'"\\"[[["') == 0
    assert json_nesting_depth(b"42") == 0
    assert json_nesting_depth(nested(950).encode()) == 950


# --- Finding 2: the body is read after authentication, permissions and throttling ----------------


@pytest.mark.parametrize("method,url", [("post", URL), ("patch", "/api/v1/recommendations/{pk}/")])
def test_a_deeply_nested_body_from_an_anonymous_client_is_refused_unread(recommendation, method, url):
    response = getattr(raw_client(), method)(
        url.format(pk=recommendation.pk), nested(950), content_type="application/json"
    )
    assert response.status_code == 401


def test_a_throttled_client_is_throttled_whatever_its_body(editor, monkeypatch):
    rates = {"anon": "1/minute", "user": "1/minute"}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    client = raw_client(token_client(editor))
    assert client.get("/api/v1/themes/").status_code == 200
    response = client.post(URL, nested(950), content_type="application/json")
    assert response.status_code == 429


def test_a_deeply_nested_body_from_an_editor_is_a_400(editor):
    response = raw_client(token_client(editor)).post(URL, nested(950), content_type="application/json")
    assert response.status_code == 400
    assert "nest at most 32 deep" in response.json()["detail"]


def test_a_body_larger_than_the_endpoint_accepts_is_a_413_before_it_is_read(editor, reviewer_client, recommendation):
    big = json.dumps({"summary": "x" * (600 * 1024)})
    response = raw_client(token_client(editor)).post(URL, big, content_type="application/json")
    assert response.status_code == 413
    assert "524,288 bytes at most" in response.json()["detail"]
    # Per endpoint: a review action's body is small.
    response = reviewer_client.post(
        f"/api/v1/recommendations/{recommendation.pk}/publish/",
        json.dumps({"citations": [1] * 40000}),
        content_type="application/json",
    )
    assert response.status_code == 413, response.content
    assert "65,536 bytes at most" in response.json()["detail"]


def test_a_body_whose_length_header_lies_is_read_no_further_than_the_limit(editor):
    client = raw_client(token_client(editor))
    response = client.generic("POST", URL, "[" * 600_000, content_type="application/json", CONTENT_LENGTH="10")
    # The parser reads what the header announces, never more: a truncated body is malformed JSON.
    assert response.status_code == 400


# --- Finding 3: unencodable characters ----------------------------------------------------------


@pytest.mark.parametrize(
    "change,field",
    [
        ({"assessed_by": "\udfff"}, "assessed_by"),
        ({"summary": "ok \ud800 then"}, "summary"),
        (
            {"citations": [{"document": "report-2020.txt", "quote": QUOTE, "location": "\udc00"}]},
            "citations.0.location",
        ),
        ({"\udfff": 1}, "\\udfff"),
    ],
)
def test_a_lone_surrogate_in_any_field_is_a_400(editor, payload, change, field):
    body = json.dumps({**payload, **change})  # ensure_ascii: the surrogate travels as "\udfff", as a client sends it
    response = raw_client(token_client(editor)).post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "Unpaired surrogate" in str(response.json()[field])
    assert not StatusUpdate.objects.exists()


def test_a_lone_surrogate_in_a_change_is_a_400(reviewer_client, payload, editor):
    created = token_client(editor).post(URL, payload, format="json").json()
    response = reviewer_client.patch(
        f"{URL}{created['id']}/",
        json.dumps({"assessed_by": "\udfff"}),
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert "Unpaired surrogate" in str(response.json()["assessed_by"])


# --- Finding 4 and 7: list and text lengths, unknown fields --------------------------------------


def test_a_status_update_cites_at_most_the_documented_number_of_quotes(editor, payload, document):
    client = token_client(editor)
    citations = [{"document": document.external_id, "quote": QUOTE}] * (MAX_CITATIONS_PER_STATUS_UPDATE + 1)
    response = client.post(URL, {**payload, "citations": citations}, format="json")
    assert response.status_code == 400
    assert "no more than 20" in str(response.json()["citations"])
    assert not StatusUpdate.objects.exists()
    response = client.post(URL, {**payload, "citations": citations[:-1]}, format="json")
    assert response.status_code == 201
    assert len(response.json()["citations"]) == MAX_CITATIONS_PER_STATUS_UPDATE


def test_thirty_thousand_citations_are_refused_without_looking_any_up(
    editor, payload, document, django_assert_max_num_queries
):
    citations = [{"document": document.external_id, "quote": QUOTE}] * 30_000
    body = json.dumps({**payload, "citations": citations}, separators=(",", ":"))
    assert len(body) < 2 * 1024 * 1024
    client = raw_client(token_client(editor))
    with django_assert_max_num_queries(3):  # the token, then nothing: the size alone refuses it
        response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 413


def test_the_service_refuses_too_many_citations_too(payload, recommendation, document):
    from django.core.exceptions import ValidationError

    from recommendations import services

    citations = [services.CitationInput(document=document, quote=QUOTE)] * (MAX_CITATIONS_PER_STATUS_UPDATE + 1)
    with pytest.raises(ValidationError, match="at most 20 quotes"):
        services.status_update_record(
            recommendation=recommendation, status="stalled", as_of="2020-02-01", summary="s", citations=citations
        )


def test_texts_have_a_length_cap(editor, reviewer_client, payload, recommendation):  # finding 7
    response = token_client(editor).post(URL, {**payload, "summary": "x" * (MAX_SUMMARY_LENGTH + 1)}, format="json")
    assert response.status_code == 400
    assert "no more than 10000 characters" in str(response.json()["summary"])
    etag = reviewer_client.get(f"/api/v1/recommendations/{recommendation.pk}/")["ETag"]
    response = reviewer_client.patch(
        f"/api/v1/recommendations/{recommendation.pk}/",
        {"text": "x" * (MAX_RECOMMENDATION_TEXT_LENGTH + 1)},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert "text" in response.json()


def test_unknown_fields_in_a_write_are_a_400_naming_them(editor, reviewer_client, payload, recommendation, document):
    client = token_client(editor)
    citation = {"document": document.external_id, "quote": QUOTE, "page": 3}
    response = client.post(URL, {**payload, "sumary": "typo", "citations": [citation]}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "Unknown field" in str(errors["sumary"])
    assert "summary" in str(errors["sumary"])  # the message lists what the endpoint takes
    assert not StatusUpdate.objects.exists()
    response = client.post(URL, {**payload, "citations": [citation]}, format="json")
    assert "Unknown field" in str(response.json()["citations"]) and "page" in str(response.json()["citations"])

    url = f"/api/v1/recommendations/{recommendation.pk}/"
    etag = reviewer_client.get(url)["ETag"]
    response = reviewer_client.patch(url, {"title": "New", "titel": "New"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert list(response.json()) == ["titel"]
    recommendation.refresh_from_db()
    assert recommendation.title != "New"
    response = reviewer_client.post(f"{url}archive/", {"reason": "duplicate"}, format="json")
    assert response.status_code == 400
    assert "takes no body" in str(response.json()["reason"])
    recommendation.refresh_from_db()
    assert recommendation.archived_at is None


# --- Fuzz: no body gives a 5xx, and none makes a request do unbounded work ------------------------

LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),  # includes lone surrogates and NUL
    st.sampled_from(["\udfff", "\x00", "report-2020.txt", QUOTE, "2020-02-01", "stalled", "ngo", "x" * 70_000]),
)
FIELDS = ["recommendation", "status", "as_of", "summary", "assessor_kind", "assessed_by", "citations", "publish", "x"]


def bodies():
    trees = st.recursive(
        LEAVES,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(st.sampled_from([*FIELDS, "document", "quote"]), children)
        ),
        max_leaves=12,
    )
    documents = st.fixed_dictionaries({}, optional={name: trees for name in FIELDS})
    deep = st.integers(min_value=30, max_value=3000).map(nested)
    huge_lists = st.integers(min_value=21, max_value=50_000).map(
        lambda n: json.dumps({"citations": [{"document": "report-2020.txt", "quote": QUOTE}] * n})
    )
    return st.one_of(documents.map(json.dumps), deep, huge_lists, st.binary(max_size=200))


@pytest.fixture
def fuzz_target(editor, reviewer_client, document):
    ActorFactory(slug="ngo")
    return RecommendationFactory(), raw_client(token_client(editor)), reviewer_client


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies(), method=st.sampled_from(["post", "patch"]))
def test_no_body_gives_a_server_error_or_unbounded_work(fuzz_target, django_assert_max_num_queries, body, method):
    recommendation, editor_client, reviewer_client = fuzz_target
    client = reviewer_client if method == "patch" else editor_client
    url = f"/api/v1/recommendations/{recommendation.pk}/" if method == "patch" else URL
    # Bounded work: at most a fixed number of queries, however long the lists in the body (the
    # caps refuse long ones before a query per item), and a body the size limit has capped.
    with django_assert_max_num_queries(40):
        response = getattr(client, method)(url, body, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert response.status_code < 500, response.content[:500]
    StatusUpdate.objects.all().delete()
