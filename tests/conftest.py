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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The API's throttles count requests in the cache; each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def seeded(db, settings):
    """The curated seed data (33 recommendations and promises from five real documents)."""
    from recommendations.seeds import seeds_load

    return seeds_load(directory=settings.SEEDS_DIR)


@pytest.fixture
def editor(django_user_model):
    """A user allowed to record status updates (and nothing else)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="x")
    user.user_permissions.add(Permission.objects.get(codename="add_statusupdate"))
    return user
