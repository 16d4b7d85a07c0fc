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
        # A user made elsewhere under the same name would bring other permissions into the test.
        assert user.groups.filter(name=role).exists(), f"user “{user.username}” exists and is not a {role}"
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
def _job_inputs(settings, tmp_path):
    """A queued import's file is stored in JOBS_INPUT_DIR: each test gets its own."""
    settings.JOBS_INPUT_DIR = tmp_path / "job-inputs"


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


@pytest.fixture(scope="session")
def seed_snapshot(django_db_setup, django_db_blocker):
    """The rows ``seeds_load`` writes, captured once per test session (once per xdist worker).

    Loading the seeds runs every service, check and history write (most of a second); inserting
    the rows it wrote into each test's transaction takes a few milliseconds. The load runs in a
    transaction that is rolled back, so the test database itself stays empty."""
    from django.apps import apps
    from django.conf import settings
    from django.db import transaction

    from recommendations.seeds import seeds_load

    models = apps.get_models(include_auto_created=True)  # many-to-many tables too
    with django_db_blocker.unblock(), transaction.atomic():
        before = {model: model._base_manager.count() for model in models}
        report = seeds_load(directory=settings.SEEDS_DIR)
        written = {model: list(model._base_manager.order_by("pk")) for model in models}
        written = {model: rows for model, rows in written.items() if len(rows) != before[model]}
        assert not any(before[model] for model in written), "the seed snapshot needs an empty database"
        transaction.set_rollback(True)
    return written, report


@pytest.fixture
def seeded(db, seed_snapshot):
    """The curated seed data (33 recommendations and promises from five real documents), exactly
    as ``seeds_load`` writes it, history and timestamps included (see ``seed_snapshot``)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    written, report = seed_snapshot
    # In one transaction, so that foreign keys are checked at its end, when every table is filled
    # (a test with ``transaction=True``, such as a live server's, has no transaction around it).
    with transaction.atomic():
        for model, rows in written.items():
            fields = model._meta.local_concrete_fields
            batch = connection.ops.bulk_batch_size(fields, rows) or len(rows)
            for start in range(0, len(rows), batch):
                # A raw insert, as loaddata's saves: stored values as they are (no auto_now), no signals.
                model._base_manager._insert(rows[start : start + batch], fields=fields, raw=True)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(written)):
            cursor.execute(statement)
    return report


@pytest.fixture
def editor(django_user_model):
    """A user allowed to record status updates (and nothing else); not the Editor role, whose
    ``make_staff("Editor")`` user is named "editor"."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("status-recorder", password="x")
    user.user_permissions.add(Permission.objects.get(codename="add_statusupdate"))
    return user
