"""The status updates' ``q`` (``filters.text_search`` over ``summary``) through a GIN index on
PostgreSQL: without it every search computed the text vector of every assessment (10 s at a
million recommendations, 2.6 million assessments). The expression is the one ``text_search``
builds (configuration ``SEARCH_CONFIG``, "simple"); ``tests/test_query_plans.py`` checks that
the search uses it. SQLite searches with a plain contains and has nothing to index."""

from django.db import migrations

INDEX = "status_summary_search_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON recommendations_statusupdate "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(summary, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0015_keyset_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
