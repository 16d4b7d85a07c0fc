"""Each database session's settings (tracker/database.py)."""

import pytest
from django.db import connection, connections


def session_setting(name):
    """``name`` in a new session, as a worker opens one."""
    session = connections.create_connection("default")
    try:
        with session.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]
    finally:
        session.close()


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no JIT compiler")
    assert session_setting("jit") == "off"
    settings.DATABASE_JIT = True  # the server's own setting (on by default since PostgreSQL 12)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reset_val FROM pg_settings WHERE name = 'jit'")
        server_setting = cursor.fetchone()[0]
    assert session_setting("jit") == server_setting
