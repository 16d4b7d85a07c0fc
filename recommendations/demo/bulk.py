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

from .. import search_schema


class BulkWriter:
    """Writes rows (dicts of attribute name → value, the ``id`` included) into one model's table.
    Missing fields get the model's default; ``auto_now``/``auto_now_add`` get the time of the write.
    Without ``with_ids`` the database numbers the rows (many-to-many tables)."""

    def __init__(self, model, *, with_ids=True, table=None):
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if with_ids or not field.primary_key]
        self.table = connection.ops.quote_name(table or model._meta.db_table)
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


def _may_skip_foreign_keys(cursor) -> bool:
    """Whether the role may write as a replica (without the foreign keys' and other triggers)."""
    cursor.execute("SHOW is_superuser")
    return cursor.fetchone()[0] == "on"


@contextlib.contextmanager
def fast_load():
    """Inside a transaction: write without the search's triggers (the block's writer indexes its
    rows afterwards in one statement, ``index_recommendations``) and, on PostgreSQL, without
    waiting for the commit's WAL flush (a crash may lose the last batch of demo data, nothing else).

    On PostgreSQL a superuser writes as a replica: no trigger fires, neither the search's (one per
    row, re-run for each theme and provision linked) nor the deferred foreign-key check queued per
    row and key (the generator points only at rows it wrote or read; tests/test_demo_data.py checks
    it). Half of the load's database time was those checks at commit. Another role disables the
    search's triggers by name (the tables' owner may). SQLite drops them and re-creates them at
    the end (it cannot disable one). All of it ends with the block, or with the transaction's
    rollback if the block fails."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        replica = vendor == "postgresql" and _may_skip_foreign_keys(cursor)
        if vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if replica:  # triggers fire only for the "origin" role
            cursor.execute("SET LOCAL session_replication_role TO replica")
        else:
            for statement in search_schema.write_triggers_sql(vendor, on=False):
                cursor.execute(statement)
        yield
        if replica:
            cursor.execute("SET LOCAL session_replication_role TO origin")
        else:
            if vendor == "postgresql":
                # A table with foreign-key checks still queued cannot be altered: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for statement in search_schema.write_triggers_sql(vendor, on=True):
                cursor.execute(statement)


# PostgreSQL: the recommendations of a batch are written here first (a temporary table like theirs,
# without indexes or triggers, gone at the commit), then moved in with their search columns.
STAGED_RECOMMENDATIONS = "demo_staged_recommendation"


def recommendation_writer(model):
    """The writer of ``model``'s recommendations for ``fast_load``: into the staging table on
    PostgreSQL (``stage_recommendations`` first, ``index_recommendations`` after), the table itself
    elsewhere."""
    if connection.vendor == "postgresql":
        return BulkWriter(model, table=STAGED_RECOMMENDATIONS)
    return BulkWriter(model)


def stage_recommendations():
    """Create the staging table in the current transaction (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGED_RECOMMENDATIONS} "
                f"(LIKE {search_schema.TABLE} INCLUDING DEFAULTS) ON COMMIT DROP"
            )


def index_recommendations(model, first_id: int, last_id: int):
    """After the batch's rows (their links too) were written: index the recommendations
    ``first_id``–``last_id`` for the search, set-based, with the expressions of the search's
    triggers (search_schema.py, one definition for both). PostgreSQL moves the staged rows in with
    their search columns (each row and its 18 index entries written once); SQLite fills the FTS
    rows of the range."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = [field.column for field in model._meta.concrete_fields]
            cursor.execute(search_schema.insert_indexed_sql(STAGED_RECOMMENDATIONS, columns))
            cursor.execute(f"DROP TABLE {STAGED_RECOMMENDATIONS}")
        else:
            for statement in search_schema.reindex_sql(connection.vendor, first_id, last_id):
                cursor.execute(statement)
