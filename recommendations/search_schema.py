"""The database objects behind the search (recommendations/search.py), created by migration 0012.

The database itself keeps the index in step, so that every write path — a service, a bulk write,
the demo data's COPY, a test's ``themes.add`` — is covered:

- ``search_related`` holds the names around a recommendation (the actors who made it, also
  jointly, and whom it addresses; its themes; its legal provisions; the issues an imported file
  named). Triggers rewrite it when the row's actors change, when a theme, provision, issue or
  joint maker is linked or unlinked, and when an actor, theme, provision or issue is renamed.
- PostgreSQL: a trigger writes each row's weighted ``search_vector`` (title A, text B, context and
  ``search_related`` C) in the text-search configuration of the row's language whenever one of
  those columns changes; a GIN index over it; and a vocabulary of the words rows hold, with a
  trigram index, for misspelt terms. Links and renames are handled per statement (transition
  tables): one UPDATE for a batch of thousands of links.
- SQLite: an FTS5 table over the same words (title, text, context, the names around the row),
  with row triggers.

SQLite drops a table's triggers when Django rebuilds the table (an ``AlterField`` does): a
migration that alters one of the tables named here must call ``install_search_schema`` again
(the search tests fail if it does not).
"""

TABLE = "recommendations_recommendation"
FTS_TABLE = "recommendations_search"

WORDS_TABLE = "recommendations_search_word"
# Everything a row is searched by, as plain lower-case words (the misspellings' vocabulary).
_ROW_WORDS = (
    "unnest(tsvector_to_array(to_tsvector('simple', "
    "new_rows.title || ' ' || new_rows.text || ' ' || new_rows.context || ' ' || new_rows.search_related)))"
)


def _add_words_sql(rows: str) -> str:
    """Add the words of the recommendations ``rows`` (a FROM item named ``new_rows``) to the
    vocabulary of misspellings."""
    return (
        f"INSERT INTO {WORDS_TABLE} (word) SELECT DISTINCT word FROM {rows}, {_ROW_WORDS} AS word "
        f"WHERE word ~ '^[[:alpha:]]{{3,}}$' ON CONFLICT DO NOTHING"
    )


def _vector_sql(config: str, row: str, related: str) -> str:
    """A row's weighted search vector: title A, text B, context and the names around it C, in
    text-search configuration ``config``; ``row`` names the row, ``related`` its names."""
    return (
        f"setweight(to_tsvector({config}, {row}.title), 'A') "
        f"|| setweight(to_tsvector({config}, {row}.text), 'B') "
        f"|| setweight(to_tsvector({config}, {row}.context || ' ' || {related}), 'C')"
    )


# (link table, its column for the other row, the other table, the other row's words)
LINKS = [
    ("recommendations_recommendation_also_made_by", "actor_id", "recommendations_actor", "other.name"),
    ("recommendations_recommendation_themes", "theme_id", "recommendations_theme", "other.name"),
    (
        "recommendations_recommendation_legal_provisions",
        "legalprovision_id",
        "recommendations_legalprovision",
        "other.instrument || ' ' || other.article || ' ' || other.title",
    ),
    # Issues as an imported file named them ("Freedom of association and peaceful assembly").
    ("recommendations_recommendation_source_themes", "sourcetheme_id", "recommendations_sourcetheme", "other.name"),
]
# (renamed table, its searched columns, the recommendations that show its words: SQL over :id)
RENAMES = [
    (
        "recommendations_actor",
        "name",
        f"made_by_id = :id OR addressed_to_id = :id OR id IN "
        f"(SELECT recommendation_id FROM {LINKS[0][0]} WHERE actor_id = :id)",
    ),
    ("recommendations_theme", "name", f"id IN (SELECT recommendation_id FROM {LINKS[1][0]} WHERE theme_id = :id)"),
    (
        "recommendations_legalprovision",
        "instrument, article, title",
        f"id IN (SELECT recommendation_id FROM {LINKS[2][0]} WHERE legalprovision_id = :id)",
    ),
    (
        "recommendations_sourcetheme",
        "name",
        f"id IN (SELECT recommendation_id FROM {LINKS[3][0]} WHERE sourcetheme_id = :id)",
    ),
]


def related_sql(vendor: str, row: str, maker: str, addressee: str) -> str:
    """SQL for the names around recommendation ``row`` (an SQL expression for its id), made by
    ``maker`` and addressed to ``addressee`` (SQL expressions for actor ids)."""
    aggregate = "string_agg" if vendor == "postgresql" else "group_concat"
    parts = [
        f"COALESCE((SELECT name FROM recommendations_actor WHERE id = {maker}), '')",
        f"COALESCE((SELECT name FROM recommendations_actor WHERE id = {addressee}), '')",
    ]
    for link, column, other, words in LINKS:
        parts.append(
            f"COALESCE((SELECT {aggregate}({words}, ' ') FROM {link} link "
            f"JOIN {other} other ON other.id = link.{column} WHERE link.recommendation_id = {row}), '')"
        )
    return "TRIM(" + " || ' ' || ".join(parts) + ")"


def _postgresql():
    statements = [
        # The configuration of a language code: stemming and stop words for English and Russian,
        # lower-casing only ("simple") for the others.
        """
        CREATE OR REPLACE FUNCTION recommendations_search_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE lower(split_part(language, '-', 1))
                WHEN 'en' THEN 'english'::regconfig
                WHEN 'ru' THEN 'russian'::regconfig
                ELSE 'simple'::regconfig
            END
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION recommendations_search_row() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            config regconfig := recommendations_search_config(NEW.language);
        BEGIN
            NEW.search_related := {related_sql("postgresql", "NEW.id", "NEW.made_by_id", "NEW.addressed_to_id")};
            NEW.search_vector := {_vector_sql("config", "NEW", "NEW.search_related")};
            RETURN NEW;
        END
        $$
        """,
        f"DROP TRIGGER IF EXISTS recommendations_search_row ON {TABLE}",
        # Setting search_related (to anything) is how the triggers below ask for a row's re-indexing.
        f"""
        CREATE TRIGGER recommendations_search_row
        BEFORE INSERT OR UPDATE OF language, title, text, context, made_by_id, addressed_to_id, search_related
        ON {TABLE} FOR EACH ROW EXECUTE FUNCTION recommendations_search_row()
        """,
        """
        CREATE OR REPLACE FUNCTION recommendations_search_links() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE recommendations_recommendation SET search_related = ''
            WHERE id IN (SELECT recommendation_id FROM changed_links);
            RETURN NULL;
        END
        $$
        """,
    ]
    for link, *_ in LINKS:
        for event, table in (("INSERT", "NEW"), ("DELETE", "OLD")):
            name = f"{link}_search_{event.lower()}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {link}",
                f"""
                CREATE TRIGGER {name} AFTER {event} ON {link} REFERENCING {table} TABLE AS changed_links
                FOR EACH STATEMENT EXECUTE FUNCTION recommendations_search_links()
                """,
            ]
    for table, columns, linked in RENAMES:
        function = f"{table}_search_rename"
        before = ", ".join(f"o.{column}" for column in columns.split(", "))
        after = ", ".join(f"n.{column}" for column in columns.split(", "))
        renamed = (
            f"ANY (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
            f"WHERE ({after}, '') IS DISTINCT FROM ({before}, ''))"
        )
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE recommendations_recommendation SET search_related = ''
                WHERE {linked.replace("= :id", "= " + renamed)};
                RETURN NULL;
            END
            $$
            """,
            f"DROP TRIGGER IF EXISTS {function} ON {table}",
            # Statement triggers cannot name columns: the function picks the rows whose words changed.
            f"""
            CREATE TRIGGER {function} AFTER UPDATE ON {table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {function}()
            """,
        ]
    # The vocabulary of misspellings: every word (of three letters or more) any row was ever
    # searchable by, with a trigram index; a misspelt term is looked up here (a few thousand short
    # words), then searched for as the words found. Words are added per statement, never removed
    # (a word no row has any more finds nothing).
    statements += [
        f"CREATE TABLE IF NOT EXISTS {WORDS_TABLE} (word text PRIMARY KEY)",
        f"CREATE INDEX IF NOT EXISTS rec_search_word_trigram_idx ON {WORDS_TABLE} USING gin (word gin_trgm_ops)",
        f"""
        CREATE OR REPLACE FUNCTION recommendations_search_words() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {_add_words_sql("new_rows")};
            RETURN NULL;
        END
        $$
        """,
        # The words like a term, as a query in every configuration (NULL if there are none).
        f"""
        CREATE OR REPLACE FUNCTION recommendations_search_similar(term text) RETURNS tsquery
        LANGUAGE sql STABLE AS $$
            SELECT to_tsquery('english', words) || to_tsquery('russian', words) || to_tsquery('simple', words)
            FROM (
                SELECT string_agg(word, ' | ') AS words FROM (
                    SELECT word FROM {WORDS_TABLE} WHERE word % lower(term)
                    ORDER BY word <-> lower(term), word LIMIT 5
                ) candidates
            ) found
        $$
        """,
    ]
    for event in ("INSERT", "UPDATE"):
        name = f"recommendations_search_words_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {TABLE}",
            f"""
            CREATE TRIGGER {name} AFTER {event} ON {TABLE} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION recommendations_search_words()
            """,
        ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS rec_search_vector_idx ON {TABLE} USING gin (search_vector)",
        # Index the rows already there.
        f"UPDATE {TABLE} SET search_related = ''",
    ]
    return statements


def _sqlite_reindex(where):
    """Replace the FTS rows of the recommendations ``where`` selects (SQL over the table)."""
    related = related_sql("sqlite", f"{TABLE}.id", f"{TABLE}.made_by_id", f"{TABLE}.addressed_to_id")
    return (
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT id FROM {TABLE} WHERE {where}); "
        f"INSERT INTO {FTS_TABLE}(rowid, title, text, context, related) "
        f"SELECT id, title, text, context, {related} FROM {TABLE} WHERE {where};"
    )


def _sqlite_triggers():
    """SQLite's triggers: name → what follows ``CREATE TRIGGER name``."""
    reindex = _sqlite_reindex
    triggers = {
        "recommendations_search_insert": f"AFTER INSERT ON {TABLE} BEGIN {reindex('id = new.id')} END",
        "recommendations_search_update": f"""
            AFTER UPDATE OF title, text, context, made_by_id, addressed_to_id ON {TABLE}
            BEGIN {reindex("id = new.id")} END""",
        "recommendations_search_delete": (
            f"AFTER DELETE ON {TABLE} BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
        ),
    }
    for link, *_ in LINKS:
        for event, row in (("INSERT", "new"), ("DELETE", "old")):
            triggers[f"{link}_search_{event.lower()}"] = (
                f"AFTER {event} ON {link} BEGIN {reindex(f'id = {row}.recommendation_id')} END"
            )
    for table, columns, linked in RENAMES:
        triggers[f"{table}_search_rename"] = (
            f"AFTER UPDATE OF {columns} ON {table} BEGIN {reindex(linked.replace(':id', 'new.id'))} END"
        )
    return triggers


def _sqlite():
    triggers = _sqlite_triggers()
    # Its own copy of the words (not an external-content table): a row's names come from other
    # tables, and FTS5 removes a row by rowid only when it holds what it indexed.
    statements = [
        f"""
        CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
            title, text, context, related, tokenize='porter unicode61 remove_diacritics 2'
        )
        """
    ]
    for name, body in triggers.items():
        statements += [f"DROP TRIGGER IF EXISTS {name}", f"CREATE TRIGGER {name} {body}"]
    statements.append(_sqlite_reindex("1 = 1").rstrip(";").split("; ", 1)[1])  # index the rows already there
    return statements


# The PostgreSQL triggers that index rows as they are written into the recommendations' table and
# its link tables, (table, trigger): a bulk load turns them off and calls ``insert_indexed_sql``.
_POSTGRESQL_WRITE_TRIGGERS = [
    (TABLE, "recommendations_search_row"),
    (TABLE, "recommendations_search_words_insert"),
    (TABLE, "recommendations_search_words_update"),
    *((link, f"{link}_search_{event}") for link, *_ in LINKS for event in ("insert", "delete")),
]


def write_triggers_sql(vendor: str, *, on: bool) -> list[str]:
    """Statements that turn the search's triggers off (``on=False``) or on again, inside one
    transaction: PostgreSQL disables its write triggers (the tables' owner may), SQLite drops and
    re-creates all of its own (it cannot disable one)."""
    if vendor == "postgresql":
        action = "ENABLE" if on else "DISABLE"
        return [f"ALTER TABLE {table} {action} TRIGGER {name}" for table, name in _POSTGRESQL_WRITE_TRIGGERS]
    if vendor == "sqlite":
        triggers = _sqlite_triggers()
        if on:
            return [f"CREATE TRIGGER {name} {body}" for name, body in triggers.items()]
        return [f"DROP TRIGGER IF EXISTS {name}" for name in triggers]
    return []


def insert_indexed_sql(staged: str, columns: list[str]) -> str:
    """PostgreSQL: one statement that moves the rows of table ``staged`` (the recommendations'
    ``columns``, written with the triggers off, their link rows already written) into the
    recommendations' table with their search columns, computed by the very expressions of the
    triggers, and adds their words to the vocabulary: a bulk load's indexing, set-based, each row
    written once."""
    names = [column for column in columns if column not in ("search_related", "search_vector")]
    related = related_sql("postgresql", "staged.id", "staged.made_by_id", "staged.addressed_to_id")
    vector = _vector_sql("recommendations_search_config(s.language)", "s", "s.related")
    return (
        f"WITH new_rows AS (INSERT INTO {TABLE} ({', '.join(names)}, search_related, search_vector) "
        f"SELECT {', '.join(f's.{name}' for name in names)}, s.related, {vector} "
        f"FROM (SELECT staged.*, {related} AS related FROM {staged} staged) s "
        f"RETURNING title, text, context, search_related) " + _add_words_sql("new_rows")
    )


def reindex_sql(vendor: str, first_id: int, last_id: int) -> list[str]:
    """SQLite: statements that index the recommendations with ids ``first_id``–``last_id``, as
    the triggers would: what a bulk load runs after writing with them off."""
    if vendor == "sqlite":
        return _sqlite_reindex(f"id BETWEEN {int(first_id)} AND {int(last_id)}").rstrip(";").split("; ")
    return []


def install_search_schema(schema_editor):
    """Create (or re-create) the search's functions, triggers and indexes, and index every row."""
    vendor = schema_editor.connection.vendor
    statements = _postgresql() if vendor == "postgresql" else _sqlite() if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement, params=None)


def remove_search_schema(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [
            *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in _POSTGRESQL_WRITE_TRIGGERS),
            *(f"DROP TRIGGER IF EXISTS {table}_search_rename ON {table}" for table, *_ in RENAMES),
            *(f"DROP FUNCTION IF EXISTS {table}_search_rename()" for table, *_ in RENAMES),
            "DROP FUNCTION IF EXISTS recommendations_search_words()",
            "DROP FUNCTION IF EXISTS recommendations_search_similar(text)",
            f"DROP TABLE IF EXISTS {WORDS_TABLE}",
            "DROP FUNCTION IF EXISTS recommendations_search_links()",
            "DROP FUNCTION IF EXISTS recommendations_search_row()",
            "DROP FUNCTION IF EXISTS recommendations_search_config(text)",
            "DROP INDEX IF EXISTS rec_search_vector_idx",
        ]
    elif vendor == "sqlite":
        statements = [*write_triggers_sql(vendor, on=False), f"DROP TABLE IF EXISTS {FTS_TABLE}"]
    else:
        statements = []
    for statement in statements:
        schema_editor.execute(statement, params=None)
