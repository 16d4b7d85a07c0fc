"""Writing many rows fast: PostgreSQL's COPY, or executemany elsewhere (SQLite).

The demo data bypasses the services on purpose: a million recommendations through ``full_clean``
and one INSERT each would take hours. The generator keeps the services' rules itself (quotes that
occur at their offsets, the current status of the latest published assessment, hashes of texts)
and the test suite checks that it does (tests/test_demo_data.py)."""

import contextlib
import operator

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone


class BulkWriter:
    """Writes rows (dicts of attribute name → value, the ``id`` included) into one model's table.
    Missing fields get the model's default; ``auto_now``/``auto_now_add`` get the time of the write.
    Without ``with_ids`` the database numbers the rows (many-to-many tables)."""

    def __init__(self, model, *, with_ids=True):
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if with_ids or not field.primary_key]
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        self.written = 0

    def _defaults(self):
        now = timezone.now()
        defaults = {}
        for field in self.fields:
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                defaults[field.attname] = now
            elif field.has_default():
                defaults[field.attname] = field.get_default()
            else:
                defaults[field.attname] = "" if field.empty_strings_allowed and not field.null else None
        return defaults

    def write(self, rows):
        if not rows:
            return
        defaults = self._defaults()
        # The row over its defaults, its values picked in column order: dict copies and an
        # itemgetter run in C, a comprehension per row was a tenth of the whole load.
        values = operator.itemgetter(*(field.attname for field in self.fields))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                copy_sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        full = defaults.copy()
                        full.update(row)
                        copy.write_row(values(full))
        else:
            fs = self.fields
            placeholders = ", ".join(["%s"] * len(fs))
            prepared = [
                [field.get_db_prep_save(row.get(field.attname, defaults[field.attname]), connection) for field in fs]
                for row in rows
            ]
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", prepared)
        self.written += len(rows)


def next_id(model):
    """The first id free after every existing row of ``model``."""
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def reset_sequences(*model_list):
    """After rows were written with explicit ids, move the id sequences past them (PostgreSQL;
    SQLite's AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextlib.contextmanager
def fast_load():
    """Inside a transaction on PostgreSQL: write without waiting for the commit's WAL flush (a
    crash may lose the last batch of demo data, nothing else) and, where the role may, without
    queueing a deferred foreign-key check per row and key (the generator points only at rows it
    wrote or read; tests/test_demo_data.py checks it). Half of the load's database time was those
    checks at commit. The role is back to normal when the block ends; the commit setting ends
    with the transaction (it must hold at its commit)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute("SHOW is_superuser")
        replica = cursor.fetchone()[0] == "on"
        if replica:  # the foreign keys' triggers fire only for the "origin" role
            cursor.execute("SET LOCAL session_replication_role TO replica")
        try:
            yield
        finally:
            if replica:
                cursor.execute("SET LOCAL session_replication_role TO origin")
