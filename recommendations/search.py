"""The one search of recommendations and promises, used by the API's ``q`` and by the admin (its
search box and every autocomplete that picks a recommendation), so both find the same rows.

What a search finds: rows where every word of the text (or "quoted phrase") occurs in the title,
the text, the context, the actors who made it (also jointly) or whom it addresses, a legal
provision it targets (instrument, article, title), a curated theme or an issue as the imported
file named it (UPR Info's "Freedom of association and peaceful assembly", kept on the row).
Words are whole words, stemmed in the row's language: "tortured" finds "torture", and on
PostgreSQL "пытки" finds "пыток". External ids are not searched word by word: hash-like ids of
imported rows hold every number, so "174" would match hundreds of rows by accident; an exact
external id still finds its row.

The rows come annotated with ``search_rank`` (higher is better: a word in the title weighs more
than one in the text, which weighs more than actors, themes and provisions) and
``search_snippet`` (the best fragment of the text, the words found between ``SNIPPET_START`` and
``SNIPPET_STOP``; ``snippet_html`` turns it into safe HTML).

- PostgreSQL: full-text search over ``search_vector`` (GIN index; search_schema.py), ranked by
  ``ts_rank``, fragments by ``ts_headline``. The words are looked up as English, Russian and plain
  ("simple") words at once, so each row matches in its own language. If no row matches, the words
  like them are searched for instead (misspellings: "torure" finds "torture"), found by trigram
  similarity in the vocabulary of the words rows hold.
- SQLite: an FTS5 table over the same columns (English stemming only, no misspellings), ranked by
  ``bm25`` with the same weights in the same order, fragments by ``snippet``.
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchQueryField, SearchRank
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Replace

from .search_schema import FTS_TABLE

RANK = "search_rank"
SNIPPET = "search_snippet"
# Private-use characters around the words found: escaped text cannot contain markup by accident.
SNIPPET_START, SNIPPET_STOP = "\ue000", "\ue001"
# The languages whose words a search looks up at once (the row's own configuration decides which
# of them its vector holds; search_schema.POSTGRESQL).
CONFIGURATIONS = ("english", "russian", "simple")

_TERM = re.compile(r'"([^"]+)"|(\S+)')
_WHITESPACE_RUN = re.compile(r"\s+")
_LETTERS = re.compile(r"[^\W\d_]+")


def search_terms(text: str) -> list[str]:
    """The words and "quoted phrases" of a search text, in order, without empties."""
    terms = []
    for phrase, word in _TERM.findall(text):
        term = _WHITESPACE_RUN.sub(" ", phrase or word).strip().strip('"')
        if term:
            terms.append(term)
    return terms


def search_recommendations(queryset, text: str):
    """The rows of ``queryset`` that match ``text`` (see the module's docstring), annotated with
    ``search_rank`` and ``search_snippet``, in ``queryset``'s order (``order_by_rank`` sorts them).
    An empty text returns ``queryset`` unchanged."""
    terms = search_terms((text or "").strip())
    if not terms:
        return queryset
    text = text.strip()
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, text, terms)
    return _search_sqlite(queryset, text, terms)


def order_by_rank(queryset):
    """Best match first (ties: newest id first); for a queryset from ``search_recommendations``."""
    return queryset.order_by(f"-{RANK}", "-id")


def snippet_html(snippet: str | None) -> str | None:
    """The fragment as HTML: its text escaped, the words found in ``<mark>``; marks always pair up."""
    if snippet is None:
        return None
    parts, open_mark = [], False
    for piece in re.split(f"([{SNIPPET_START}{SNIPPET_STOP}])", snippet):
        if piece == SNIPPET_START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == SNIPPET_STOP and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (SNIPPET_START, SNIPPET_STOP):
            parts.append(html.escape(piece, quote=False))
    if open_mark:
        parts.append("</mark>")
    return "".join(parts)


# ── PostgreSQL ──


class _Similar(Func):
    """The words of the vocabulary like ``term`` (a misspelling, a fragment), as a query in every
    configuration; NULL (nothing matches) if there are none (search_schema.py)."""

    function = "recommendations_search_similar"
    # A subquery, so that PostgreSQL looks the words up once per search, not once per row.
    template = "(SELECT %(function)s(%(expressions)s))"
    output_field = SearchQueryField()


class _All(Func):
    """Queries that must all match (``&&``)."""

    template = "(%(expressions)s)"
    arg_joiner = " && "
    output_field = SearchQueryField()


class _Matches(Func):
    """``vector @@ query`` for a query Django's ``SearchQuery`` cannot express."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _tsquery(terms):
    """Every term (a phrase keeps its words together), in each language at once."""
    queries = []
    for config in CONFIGURATIONS:
        query = None
        for term in terms:
            part = SearchQuery(term, config=config, search_type="phrase")
            query = part if query is None else query & part
        queries.append(query)
    combined = queries[0]
    for query in queries[1:]:
        combined |= query
    return combined


def _any_row_matches(queryset) -> bool:
    """Whether ``queryset`` has a row, through the GIN index. A plain ``EXISTS`` lets the planner
    bet on a sequential scan finding a row early; when no row has the words (a misspelling: the
    very case this decides) that scan reads the whole table (0.5 s at 100,000 rows). Materialised,
    the matches come from the index (as many as the ranked page reads anyway)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"WITH found AS MATERIALIZED ({sql}) SELECT EXISTS (SELECT 1 FROM found)", params)
        return cursor.fetchone()[0]


def _search_postgresql(queryset, text, terms):
    query = _tsquery(terms)
    if not _any_row_matches(queryset.filter(search_vector=query)):
        # Nothing has these words: look for the words like them (a misspelling, a fragment) and
        # search for those. Numbers stay exact: "1745" is not "174".
        parts = []
        for term in terms:
            if any(character.isdigit() for character in term):
                parts.append(_tsquery([term]))
            else:
                # Each word as the parser splits it ("zzqx-nothing" is two words, both needed).
                parts += [_Similar(Value(word)) for word in _LETTERS.findall(term)]
        if parts:
            query = _All(*parts)
    matched = queryset.filter(Q(_Matches(F("search_vector"), query)) | Q(external_id=text)).annotate(
        # As a double: ts_rank's 4-byte float would not survive the trip through a page's cursor.
        **{RANK: Cast(SearchRank(F("search_vector"), query), FloatField())}
    )
    # The markers are removed from the text first: only the ones ts_headline adds are marks.
    clean_text = Replace(Replace(F("text"), Value(SNIPPET_START), Value("")), Value(SNIPPET_STOP), Value(""))
    headline = SearchHeadline(
        clean_text,
        query,
        config=Func(F("language"), function="recommendations_search_config"),
        start_sel=SNIPPET_START,
        stop_sel=SNIPPET_STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    return matched.annotate(**{SNIPPET: headline})


# ── SQLite ──


class _Fts5Value(Func):
    """A value from the FTS5 table for the outer row: ``(SELECT <select> FROM fts WHERE fts MATCH
    <match> AND rowid = <the row's id>)``."""

    def __init__(self, select, match, **extra):
        super().__init__(F("id"), **extra)
        self.select, self.match = select, match

    def as_sql(self, compiler, connection, **extra_context):
        id_sql, id_params = compiler.compile(self.get_source_expressions()[0])
        sql = f"(SELECT {self.select} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = {id_sql})"
        return sql, [self.match, *id_params]


def _fts5_match(terms):
    """An FTS5 query in which every term is a quoted phrase (no operators), all required."""
    return " ".join('"{}"'.format(term.replace('"', '""')) for term in terms)


def _search_sqlite(queryset, text, terms):
    match = _fts5_match(terms)
    found = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
    # bm25 is smaller for better matches; the column weights follow PostgreSQL's A, B, C.
    rank = _Fts5Value(f"-bm25({FTS_TABLE}, 10.0, 4.0, 2.0, 2.0)", match, output_field=FloatField())
    snippet = _Fts5Value(
        f"snippet({FTS_TABLE}, 1, char({ord(SNIPPET_START)}), char({ord(SNIPPET_STOP)}), ' … ', 30)",
        match,
        output_field=TextField(),
    )
    return queryset.filter(Q(pk__in=found) | Q(external_id=text)).annotate(
        **{RANK: Coalesce(rank, Value(0.0)), SNIPPET: snippet}
    )
