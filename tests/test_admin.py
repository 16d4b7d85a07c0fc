import datetime

import pytest
from django.urls import reverse

from recommendations.models import (
    Actor,
    Citation,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    RecommendationLink,
    SourceDocument,
    StatusUpdate,
    Theme,
)
from tests.factories import (
    ActorFactory,
    LegalProvisionFactory,
    RecommendationFactory,
    SourceDocumentFactory,
    ThemeFactory,
    record_status,
)

pytestmark = pytest.mark.django_db

MODELS = [SourceDocument, Actor, Theme, LegalProvision, Recommendation, StatusUpdate, Citation, RecommendationLink]


@pytest.fixture
def data():
    """A small world: two recommendations with different themes, provisions, actors and statuses."""
    hrw, us = ActorFactory(name="Human Rights Watch"), ActorFactory(name="United States", kind=Actor.Kind.STATE)
    assembly, torture = ThemeFactory(name="Freedom of assembly"), ThemeFactory(name="Torture")
    article_174 = LegalProvisionFactory(article="174")
    document = SourceDocumentFactory(external_id="004_report.txt")
    protest_law = RecommendationFactory(
        title="Reform the protest law",
        kind=Recommendation.Kind.PROMISE,
        made_by=hrw,
        due_on=datetime.date(2019, 12, 31),
        made_on=datetime.date(2019, 6, 12),
    )
    protest_law.themes.add(assembly)
    protest_law.legal_provisions.add(article_174)
    Citation.objects.create(document=document, recommendation=protest_law, quote="by the end of the year")
    end_torture = RecommendationFactory(title="End torture in prisons", made_by=us, made_on=datetime.date(2022, 4, 11))
    end_torture.themes.add(torture)
    record_status(protest_law, ImplementationStatus.STALLED, datetime.date(2020, 2, 1), document=document)
    record_status(end_torture, ImplementationStatus.IN_PROGRESS, datetime.date(2022, 4, 11), document=document)
    RecommendationLink.objects.create(
        from_recommendation=end_torture, to_recommendation=protest_law, relation="follows_up"
    )
    return {
        "protest_law": protest_law,
        "end_torture": end_torture,
        "hrw": hrw,
        "us": us,
        "assembly": assembly,
        "article_174": article_174,
        "document": document,
    }


def url(model, view, *args):
    return reverse(f"admin:recommendations_{model._meta.model_name}_{view}", args=args)


def titles(response):
    return sorted(obj.title for obj in response.context["cl"].result_list)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_render(admin_client, data, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200
    obj = model.objects.first()
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, data, model, django_assert_max_num_queries):
    # A fixed ceiling: an N+1 on a list column would exceed it as rows are added below.
    for _ in range(5):
        rec = RecommendationFactory()
        rec.themes.add(data["assembly"])
        record_status(rec, ImplementationStatus.IN_PROGRESS, datetime.date(2021, 1, 1))
    with django_assert_max_num_queries(16):
        assert admin_client.get(url(model, "changelist")).status_code == 200


def test_staff_without_login_is_sent_to_the_login_page(client, data):
    response = client.get(url(Recommendation, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind__exact": "promise"}, ["Reform the protest law"]),
        ({"current_status__exact": "in_progress"}, ["End torture in prisons"]),
        ({"overdue": "yes"}, ["Reform the protest law"]),
        ({"overdue": "no"}, ["End torture in prisons"]),
        ({"has_deadline": "no"}, ["End torture in prisons"]),
        ({"q": "protest"}, ["Reform the protest law"]),
        ({"q": "torture"}, ["End torture in prisons"]),
        ({"made_on__range__gte": "2022-01-01", "made_on__range__lte": "2022-12-31"}, ["End torture in prisons"]),
        ({"due_on__range__gte": "2019-12-01"}, ["Reform the protest law"]),
    ],
)
def test_recommendation_filters_and_search(admin_client, data, query, expected):
    response = admin_client.get(url(Recommendation, "changelist"), query)
    assert response.status_code == 200
    assert titles(response) == expected


def test_recommendation_filters_by_actor_theme_and_provision(admin_client, data):
    changelist = url(Recommendation, "changelist")
    by_actor = admin_client.get(changelist, {"made_by__id__exact": data["us"].pk})
    assert titles(by_actor) == ["End torture in prisons"]
    by_theme = admin_client.get(changelist, {"themes__id__exact": data["assembly"].pk})
    assert titles(by_theme) == ["Reform the protest law"]
    by_provision = admin_client.get(changelist, {"legal_provisions__id__exact": data["article_174"].pk})
    assert titles(by_provision) == ["Reform the protest law"]


def test_status_update_filters(admin_client, data):
    response = admin_client.get(url(StatusUpdate, "changelist"), {"status__exact": "stalled"})
    assert [u.recommendation.title for u in response.context["cl"].result_list] == ["Reform the protest law"]
    response = admin_client.get(url(StatusUpdate, "changelist"), {"q": "torture"})
    assert [u.recommendation.title for u in response.context["cl"].result_list] == ["End torture in prisons"]


def readonly_value(response, name):
    """What the change page shows in the read-only field ``name`` (not anywhere else on the page)."""
    for fieldset in response.context["adminform"]:
        for line in fieldset:
            for field in line:
                if field.is_readonly and field.field["name"] == name:
                    return field.contents()
    raise AssertionError(f"no read-only field {name} on the page")


def test_recommendation_page_shows_derived_status_and_history(admin_client, data):
    response = admin_client.get(url(Recommendation, "change", data["protest_law"].pk))
    content = response.content.decode()
    # The derived fields themselves: "Stalled" also appears in the history inline below them.
    # Badges: the status with its date as precisely as the assessment knows it; overdue in words.
    assert "Stalled · 1 February 2020" in readonly_value(response, "status_now")
    assert "Overdue" in readonly_value(response, "overdue")
    listed = admin_client.get(url(Recommendation, "changelist"), {"q": "protest"}).context["cl"].result_list
    assert [(r.current_status, r.current_status_as_of) for r in listed] == [("stalled", datetime.date(2020, 2, 1))]
    assert "by the end of the year" in content  # the recommendation's own citation inline
    assert "the reform had stalled" in content  # evidence in the status history inline
    assert f"?recommendation={data['protest_law'].pk}" in content  # link to the one-form status update


def test_document_page_lists_everything_that_cites_it(admin_client, data):
    response = admin_client.get(url(SourceDocument, "change", data["document"].pk))
    content = response.content.decode()
    assert "everything that cites this document" in content.lower()
    assert content.count("Reform the protest law") >= 2  # its own citation and its status update
    assert "End torture in prisons" in content


def status_form(data, **overrides):
    form = {
        "recommendation": data["end_torture"].pk,
        "status": "implemented",
        "as_of": "2024-04-01",
        "as_of_precision": "month",
        "as_of_basis": "stated",
        "summary": "The law was adopted.",
        "assessor_kind": "staff",
        "assessed_by": "",
        "document": data["document"].pk,
        "quote": "In April the parliament\n adopted the law.",
        "location": "last paragraph",
    }
    form.update(overrides)
    return form


def test_one_form_records_status_update_with_its_citation(admin_client, admin_user, client_as, data):
    response = admin_client.post(url(StatusUpdate, "add"), status_form(data))
    assert response.status_code == 302, response.context["adminform"].form.errors
    update = StatusUpdate.objects.get(status="implemented")
    assert update.recorded_by == admin_user
    citation = update.citations.get()
    assert (citation.document, citation.location) == (data["document"], "last paragraph")
    # A new assessment is a draft: the current (public) status waits for a reviewer.
    assert update.review_state == "draft"
    data["end_torture"].refresh_from_db()
    assert data["end_torture"].current_status == "in_progress"
    # Another reviewer publishes it, through the publish screen that shows the evidence.
    reviewer = client_as("Reviewer")
    response = reviewer.post(url(StatusUpdate, "changelist"), {"action": "publish", "_selected_action": [update.pk]})
    assert response.status_code == 200
    assert citation.quote in response.content.decode()
    response = reviewer.post(
        url(StatusUpdate, "changelist"),
        {"action": "publish", "_selected_action": [update.pk], "review": "done", f"evidence-{update.pk}": citation.pk},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.review_state, update.published_by.username) == ("published", "reviewer")
    data["end_torture"].refresh_from_db()
    assert data["end_torture"].current_status == "implemented"


def test_one_form_refuses_quote_not_in_document(admin_client, data):
    response = admin_client.post(url(StatusUpdate, "add"), status_form(data, quote="Torture has ended."))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "does not occur in the document “004_report.txt”" in errors["quote"][0]
    assert "does not occur in the document" in response.content.decode()
    assert not StatusUpdate.objects.filter(status="implemented").exists()


def test_add_form_is_prefilled_from_the_recommendation_link(admin_client, data):
    response = admin_client.get(url(StatusUpdate, "add"), {"recommendation": data["end_torture"].pk})
    assert response.context["adminform"].form.initial["recommendation"] == str(data["end_torture"].pk)


def test_changing_a_status_update_date_updates_current_status(admin_client, data):
    older = record_status(data["end_torture"], ImplementationStatus.NOT_STARTED, datetime.date(2019, 1, 1))
    citation = older.citations.get()
    form = {
        "recommendation": data["end_torture"].pk,
        "status": "not_started",
        "as_of": "2023-01-01",
        "as_of_precision": "day",
        "as_of_basis": "stated",
        "summary": "Moved.",
        "assessor_kind": "staff",
        "assessed_by": "",
        "expected_version": older.version,
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-MIN_NUM_FORMS": "1",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-id": citation.pk,
        "citations-0-status_update": older.pk,
        "citations-0-document": citation.document_id,
        "citations-0-quote": citation.quote,
        "citations-0-location": "",
        "internal_notes-TOTAL_FORMS": "0",
        "internal_notes-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url(StatusUpdate, "change", older.pk), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    data["end_torture"].refresh_from_db()
    assert data["end_torture"].current_status == "not_started"


def test_citation_inline_refuses_bad_quote(admin_client, data):
    update = data["end_torture"].status_updates.get()
    citation = update.citations.get()
    original_quote = citation.quote
    form = {
        "recommendation": data["end_torture"].pk,
        "status": update.status,
        "as_of": update.as_of.isoformat(),
        "as_of_precision": "day",
        "as_of_basis": "stated",
        "summary": update.summary,
        "assessor_kind": "staff",
        "assessed_by": "",
        "expected_version": update.version,
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-MIN_NUM_FORMS": "1",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-id": citation.pk,
        "citations-0-status_update": update.pk,
        "citations-0-document": citation.document_id,
        "citations-0-quote": "Something the document never said.",
        "citations-0-location": "",
    }
    response = admin_client.post(url(StatusUpdate, "change", update.pk), form)
    assert response.status_code == 200
    assert "does not occur in the document" in response.content.decode()
    citation.refresh_from_db()
    assert citation.quote == original_quote


def test_deleting_a_status_update_in_the_admin_recalculates_current_status(admin_client, data):
    update = data["end_torture"].status_updates.get()
    response = admin_client.post(url(StatusUpdate, "delete", update.pk), {"post": "yes"})
    assert response.status_code == 302
    data["end_torture"].refresh_from_db()
    assert data["end_torture"].current_status == ""


def test_bulk_delete_action_recalculates_current_status(admin_client, data):
    ids = list(StatusUpdate.objects.values_list("pk", flat=True))
    response = admin_client.post(
        url(StatusUpdate, "changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert set(Recommendation.objects.values_list("current_status", flat=True)) == {""}


def test_autocomplete_for_documents_works(admin_client, data):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "recommendations", "model_name": "citation", "field_name": "document", "term": "004"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [data["document"].title]
