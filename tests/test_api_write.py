"""Recording a status update through the API: who may, and the same checks and messages as
the admin (both call ``services.status_update_record``)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recommendations import services
from recommendations.models import StatusUpdate
from tests.factories import ActorFactory, RecommendationFactory, SourceDocumentFactory, used_publicly

pytestmark = pytest.mark.django_db

URL = "/api/v1/status-updates/"


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
        "citations": [{"document": document.external_id, "quote": "the reform had stalled", "location": "p. 2"}],
    }


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_refuses_anonymous_writes(api_client, payload):
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 401
    assert not StatusUpdate.objects.exists()


def test_refuses_a_user_without_the_permission(django_user_model, payload):
    user = django_user_model.objects.create_user("reader")
    response = token_client(user).post(URL, payload, format="json")
    assert response.status_code == 403
    assert not StatusUpdate.objects.exists()


def test_a_permitted_user_records_a_status_update_with_its_citations(editor, payload, recommendation, document):
    ngo = ActorFactory(slug="example-watch")
    response = token_client(editor).post(URL, {**payload, "assessed_by": "example-watch"}, format="json")
    assert response.status_code == 201, response.json()
    created = StatusUpdate.objects.get()
    assert response.json()["id"] == created.pk
    assert response.json()["citations"][0]["document"]["external_id"] == document.external_id
    assert (created.status, created.recorded_by, created.assessed_by) == ("stalled", editor, ngo)
    assert created.citations.get().location == "p. 2"
    # A draft until a reviewer publishes it: the public status does not move yet.
    assert (response.json()["review_state"], response["ETag"]) == ("draft", '"1"')
    recommendation.refresh_from_db()
    assert recommendation.current_status == ""
    assert created.review_state == "draft"


def test_assessor_may_be_given_by_id(editor, payload):
    ngo = ActorFactory()
    response = token_client(editor).post(URL, {**payload, "assessed_by": ngo.pk}, format="json")
    assert response.status_code == 201
    assert StatusUpdate.objects.get().assessed_by == ngo


def test_session_login_works_and_csrf_is_enforced(editor, payload):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(URL, payload, format="json").status_code == 403  # no CSRF token
    assert not StatusUpdate.objects.exists()
    client = APIClient()
    client.force_login(editor)
    assert client.post(URL, payload, format="json").status_code == 201


def test_a_bad_quote_gets_the_same_message_as_in_the_admin(editor, admin_client, payload, recommendation, document):
    quote = "The law was repealed."
    admin = admin_client.post(
        "/admin/recommendations/statusupdate/add/",
        {
            "recommendation": recommendation.pk,
            "status": "stalled",
            "as_of": "2020-02-01",
            "as_of_precision": "day",
            "summary": "x",
            "assessor_kind": "ngo",
            "document": document.pk,
            "quote": quote,
        },
    )
    admin_messages = admin.context["adminform"].form.errors["quote"]
    payload["citations"][0]["quote"] = quote
    response = token_client(editor).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"citations": list(admin_messages)}
    assert "does not occur in the document “report-2020.txt”" in admin_messages[0]
    assert not StatusUpdate.objects.exists()


def test_every_bad_citation_is_reported_and_nothing_is_written(editor, payload, document):
    payload["citations"].append({"document": document.external_id, "quote": "not in the text"})
    response = token_client(editor).post(URL, payload, format="json")
    assert response.status_code == 400
    [message] = response.json()["citations"]
    assert message.startswith("Citation 2: This quote does not occur")
    assert not StatusUpdate.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"citations": []}, "citations", "at least one citation"),
        ({"status": "bogus"}, "status", "not a valid choice"),
        ({"as_of": "yesterday"}, "as_of", "wrong format"),
        ({"as_of": "2020-02-15", "as_of_precision": "month"}, "as_of", "first day of that month"),
        ({"as_of_basis": "inferred"}, "date_note", "inferred from"),
        ({"as_of_basis": "guessed"}, "as_of_basis", "not a valid choice"),
        ({"recommendation": 987654}, "recommendation", "does not exist"),
        ({"recommendation": 2**70}, "recommendation", ""),
        ({"assessed_by": "nobody"}, "assessed_by", "No actor"),
        ({"assessed_by": str(2**70)}, "assessed_by", "No actor"),
        ({"assessed_by": [1]}, "assessed_by", ""),
        ({"summary": "a\x00b"}, "summary", "Null characters"),
        ({"citations": [{"document": "no-such.txt", "quote": "x"}]}, "citations", ""),
        ({"citations": [{"document": "no\x00such.txt", "quote": "x"}]}, "citations.0.document", "Null characters"),
        ({"assessed_by": "no\x00body"}, "assessed_by", "Null characters"),
        ({"citations": "the reform had stalled"}, "citations", ""),
    ],
)
def test_bad_input_is_a_400_naming_the_field(editor, payload, change, field, message):
    response = token_client(editor).post(URL, {**payload, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert message in str(response.json()[field])
    assert not StatusUpdate.objects.exists()


def test_a_malformed_body_is_a_400(editor):
    response = token_client(editor).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_nobody_may_replace_or_delete_through_the_api(admin_user, payload):
    # Not even a superuser: changes are PATCH with If-Match (tests/test_api_review.py); status
    # updates are removed in the admin, and recommendations only archived.
    client = token_client(admin_user)
    created = client.post(URL, payload, format="json").json()
    assert client.put(f"{URL}{created['id']}/", payload, format="json").status_code == 405
    assert client.delete(f"{URL}{created['id']}/").status_code == 405
    assert StatusUpdate.objects.count() == 1


def test_status_updates_list_newest_first_with_evidence(api_client, editor, payload):
    client = token_client(editor)
    client.post(URL, payload, format="json")
    client.post(URL, {**payload, "as_of": "2021-01-01", "status": "implemented"}, format="json")
    assert api_client.get(URL).json()["results"] == []  # drafts are not public
    for update in StatusUpdate.objects.all():
        services.status_update_publish(status_update=update)
    listed = api_client.get(URL).json()["results"]
    assert [(u["status"], u["as_of"]) for u in listed] == [("implemented", "2021-01-01"), ("stalled", "2020-02-01")]
    assert listed[0]["citations"][0]["quote"] == "the reform had stalled"
    assert listed[0]["recommendation"]["id"] == payload["recommendation"]


def test_status_updates_list_query_count_is_fixed(api_client, django_assert_max_num_queries):
    from tests.factories import record_status

    for count in (1, 8):
        for n in range(count):
            record_status(RecommendationFactory(), "stalled", f"2020-01-{n + 1:02d}")
        with django_assert_max_num_queries(3):
            api_client.get(URL, {"page_size": 100})


def test_the_id_ceiling_is_the_same_for_filters_and_fields(editor, payload, api_client):
    """The largest id a database stores is found by an id filter and by an id field alike; one
    more is refused by both with a 400, not an overflow."""
    from recommendations.models import MAX_ID

    ngo = ActorFactory(pk=MAX_ID, slug="the-last-actor")
    used_publicly(ngo)  # the anonymous filter below accepts only actors a public row uses
    client = token_client(editor)
    recorded = client.post(URL, {**payload, "assessed_by": MAX_ID}, format="json")
    assert recorded.status_code == 201, recorded.json()
    assert StatusUpdate.objects.get().assessed_by == ngo
    refused = client.post(URL, {**payload, "assessed_by": MAX_ID + 1}, format="json")
    assert refused.status_code == 400
    assert "No actor" in refused.json()["assessed_by"][0]
    assert api_client.get("/api/v1/actors/", {"part_of_id": MAX_ID}).status_code == 200
    assert api_client.get("/api/v1/actors/", {"part_of_id": MAX_ID + 1}).status_code == 400


def test_the_admin_form_and_the_api_hand_the_service_the_same_fields():
    """Both pass their validated fields through to ``status_update_record`` as they are: a field
    one of them gains must be one the service takes, and the other must offer it too."""
    import inspect

    from recommendations.api.serializers import StatusUpdateCreateSerializer
    from recommendations.forms import StatusUpdateWithCitationForm

    service = set(inspect.signature(services.status_update_record).parameters)
    admin = set(StatusUpdateWithCitationForm.Meta.fields)
    api = set(StatusUpdateCreateSerializer().fields) - {
        "citations",
        "publish",
    }  # evidence; publishing is an admin action
    assert admin == api
    assert admin | {"citations", "publish", "recorded_by", "process"} == service
