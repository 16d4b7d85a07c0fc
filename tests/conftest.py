import pytest

from tests.factories import RecommendationFactory, SourceDocumentFactory


@pytest.fixture
def document(db):
    return SourceDocumentFactory()


@pytest.fixture
def recommendation(db):
    return RecommendationFactory()


@pytest.fixture
def make_staff(db, django_user_model):
    """A staff user in one of the roles (Viewer, Editor, Reviewer, Administrator)."""
    from django.contrib.auth.models import Group

    def make(role, username=None):
        user, created = django_user_model.objects.get_or_create(username=username or role.lower())
        if created:
            user.is_staff = True
            user.set_password("a long test passphrase")
            user.save()
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def client_as(client, make_staff):
    """A test client logged in as a staff user with the given role."""

    def login(role):
        client.force_login(make_staff(role))
        return client

    return login
