"""Internal notes: staff-only, in the author's name, never in the public API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recommendations import services
from recommendations.models import InternalNote
from tests.admin_forms import admin_form_data
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def test_a_note_needs_one_parent_and_words(admin_user):
    with pytest.raises(ValidationError):
        services.internal_note_add(text="  ", user=admin_user, recommendation=RecommendationFactory())
    with pytest.raises(ValidationError):
        services.internal_note_add(text="No parent", user=admin_user)


def test_editor_adds_a_note_on_the_recommendation_page(client, make_staff):
    editor = make_staff("Editor")
    recommendation = RecommendationFactory(review_state="draft", created_by=editor)
    client.force_login(editor)
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    page = client.get(url)
    assert "internal notes (staff only, never public)" in page.content.decode().lower()
    data = admin_form_data(page)
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is InternalNote)
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data[f"{prefix}-0-text"] = "Ask the ombudsman's office for the 2023 figures."
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    note = InternalNote.objects.get()
    assert (note.recommendation, note.author, note.text) == (
        recommendation,
        editor,
        "Ask the ombudsman's office for the 2023 figures.",
    )
    assert "Ask the ombudsman" in client.get(url).content.decode()


def test_notes_never_reach_the_public_api(api_client, admin_user):
    recommendation = RecommendationFactory()
    services.internal_note_add(text="Secret lead: call Aigerim.", user=admin_user, recommendation=recommendation)
    detail = api_client.get(reverse("api:recommendation-detail", args=[recommendation.pk]))
    listing = api_client.get(reverse("api:recommendation-list"))
    assert detail.status_code == 200
    assert "Secret lead" not in detail.content.decode() and "Secret lead" not in listing.content.decode()
    assert "internal_notes" not in detail.json()
