from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def ensure_demo_admin(**kwargs):
    out = StringIO()
    call_command("ensure_demo_admin", stdout=out, **kwargs)
    return out.getvalue()


def test_creates_superuser_with_a_generated_password_printed_once(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    output = ensure_demo_admin()
    password = output.split("Password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.check_password(password)
    assert len(password) >= 12
    assert "http://127.0.0.1:8000/admin/" in output

    again = ensure_demo_admin()
    assert password not in again
    assert "unchanged" in again
    user.refresh_from_db()
    assert user.check_password(password)


def test_two_fresh_installs_get_different_passwords(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    first = ensure_demo_admin().split("Password: ")[1].split()[0]
    get_user_model().objects.all().delete()
    second = ensure_demo_admin().split("Password: ")[1].split()[0]
    assert first != second


def test_password_from_environment_sets_and_resets(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "correct horse battery staple")
    ensure_demo_admin()
    assert get_user_model().objects.get(username="admin").check_password("correct horse battery staple")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "another long passphrase")
    output = ensure_demo_admin()
    assert "set from DEMO_ADMIN_PASSWORD" in output
    assert get_user_model().objects.get(username="admin").check_password("another long passphrase")


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        ensure_demo_admin()
    assert not get_user_model().objects.exists()


def test_every_model_is_importable_where_its_module_says():
    # `manage.py shell` auto-imports each model as `<its __module__>.<its name>`; the history
    # models of the models package were named after the app and could not be imported.
    import importlib

    from django.apps import apps

    for model in apps.get_app_config("recommendations").get_models():
        module = importlib.import_module(model.__module__)
        assert getattr(module, model.__name__, None) is model, f"{model.__module__}.{model.__name__}"
