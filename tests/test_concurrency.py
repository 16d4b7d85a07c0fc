"""No lost updates: the second of two concurrent edits is refused with a clear message."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from recommendations import services
from recommendations.models import ImplementationStatus, Recommendation, StatusUpdate
from tests.admin_forms import admin_form_data
from tests.factories import RecommendationFactory, record_status


def change_url(obj):
    return reverse(f"admin:recommendations_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def two_reviewers(make_staff):
    first, second = Client(), Client()
    first.force_login(make_staff("Reviewer", "alice"))
    second.force_login(make_staff("Reviewer", "bob"))
    return first, second


@pytest.mark.django_db
def test_second_of_two_admin_edits_of_a_recommendation_is_refused(two_reviewers, recommendation):
    alice, bob = two_reviewers
    alice_page, bob_page = alice.get(change_url(recommendation)), bob.get(change_url(recommendation))
    saved = alice.post(change_url(recommendation), admin_form_data(alice_page, title="Alice's title"))
    assert saved.status_code == 302
    refused = bob.post(change_url(recommendation), admin_form_data(bob_page, title="Bob's title"))
    assert refused.status_code == 200
    assert "Someone else saved a change to this recommendation after you opened it" in refused.content.decode()
    # Bob's input is still in the form he sees, so he can apply it again; Alice's change is kept.
    assert refused.context["adminform"].form["title"].value() == "Bob's title"
    current = Recommendation.objects.get(pk=recommendation.pk)
    assert (current.title, current.version) == ("Alice's title", 2)
    assert not current.history.filter(title="Bob's title").exists()


@pytest.mark.django_db
def test_second_of_two_admin_edits_of_a_status_update_is_refused(two_reviewers, recommendation):
    update = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    alice, bob = two_reviewers
    alice_page, bob_page = alice.get(change_url(update)), bob.get(change_url(update))
    assert alice.post(change_url(update), admin_form_data(alice_page, status="stalled")).status_code == 302
    refused = bob.post(change_url(update), admin_form_data(bob_page, status="implemented"))
    assert "Someone else saved a change to this status update" in refused.content.decode()
    assert StatusUpdate.objects.get(pk=update.pk).status == "stalled"
    recommendation.refresh_from_db()
    assert recommendation.current_status == "stalled"


@pytest.mark.django_db
def test_stale_version_is_refused_by_the_service(recommendation):
    services.recommendation_change(recommendation=recommendation, expected_version=1, title="First")
    stale = Recommendation.objects.get(pk=recommendation.pk)
    stale.version = 1
    with pytest.raises(services.ConcurrentEditError, match="you edited version 1; it is now at version 2"):
        services.recommendation_change(recommendation=stale, expected_version=1, title="Second")
    assert Recommendation.objects.get(pk=recommendation.pk).title == "First"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections to one server")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_transactions_one_wins():
    """Two connections claim the same version at the same time: the second waits on the first's
    row lock, then finds the version gone and is refused; nothing is overwritten."""
    recommendation = RecommendationFactory()
    first_has_claimed, outcomes = threading.Event(), {}

    def edit(name, title, hold):
        try:
            with transaction.atomic():
                services.recommendation_change(
                    recommendation=Recommendation.objects.get(pk=recommendation.pk), expected_version=1, title=title
                )
                if hold:
                    first_has_claimed.set()
                    threading.Event().wait(0.5)  # keep the row claimed while the other tries
            outcomes[name] = "saved"
        except services.ConcurrentEditError:
            outcomes[name] = "refused"
        finally:
            connection.close()

    first = threading.Thread(target=edit, args=("first", "First title", True))
    first.start()
    first_has_claimed.wait(5)
    second = threading.Thread(target=edit, args=("second", "Second title", False))
    second.start()
    first.join()
    second.join()
    assert outcomes == {"first": "saved", "second": "refused"}
    current = Recommendation.objects.get(pk=recommendation.pk)
    assert (current.title, current.version) == ("First title", 2)
