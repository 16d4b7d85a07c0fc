"""The benches' throw-away databases: one place for the set-up that import_upr.py, theme_mapping.py
and import_formats.py share.

    from databases import ROOT, throwaway_database   # a bench run as ``python bench/<name>.py``

    with throwaway_database() as connection:         # migrated, seed data loaded
        ...                                          # destroyed at the end, even on an error

The database is of the kind ``DATABASE_URL`` names: PostgreSQL (``test_<name>``, made by Django's
test-database creation) or, without it, SQLite in a temporary *file* (as in production; the test
runner's default in-memory database would flatter the figures). Test settings: production
behaviour (DEBUG off, so no query log skews the figures), no .env needed.
"""

import contextlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.test")


@contextlib.contextmanager
def throwaway_database(*, seeds=True):
    """Set Django up, create and migrate a fresh database (and load the seed data unless
    ``seeds=False``), yield Django's connection to it, destroy it at the end."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    with contextlib.ExitStack() as stack:
        if connection.vendor == "sqlite":
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="tracker-bench-"))
            connection.settings_dict["TEST"]["NAME"] = str(Path(directory) / "bench.sqlite3")
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        stack.callback(connection.creation.destroy_test_db, old_name, verbosity=0)
        if seeds:
            with open(os.devnull, "w") as quiet:
                call_command("load_seeds", stdout=quiet)
        yield connection
