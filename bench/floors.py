"""The floors of ``bench/scale.py``: for each endpoint, the same rows or counts fetched by the
plainest SQL we know, run through a psycopg cursor (or any object with ``execute``/``fetchall``:
``bench/framework_floor.py`` serves the same functions from a bare DRF view). The constants are
the list's own: its page size, capped count, visibility and order."""

AS_OF = "2019-11-07"
PAGE = 50
COUNT_LIMIT = 1000
VISIBLE = "r.review_state = 'published' AND r.archived_at IS NULL"
ORDER = "COALESCE(r.made_on, '0001-01-01'::date) DESC, r.id DESC"
REC_COLUMNS = "r.*, mb.id, mb.slug, mb.name, at.id, at.slug, at.name, cl.id, cl.name"
REC_FROM = (
    "recommendations_recommendation r JOIN recommendations_actor mb ON mb.id = r.made_by_id "
    "JOIN recommendations_actor at ON at.id = r.addressed_to_id "
    "LEFT JOIN recommendations_cluster cl ON cl.id = r.cluster_id"
)
THEMES_OF = (
    "SELECT rt.recommendation_id, t.id, t.slug, t.name FROM recommendations_recommendation_themes rt "
    "JOIN recommendations_theme t ON t.id = rt.theme_id WHERE rt.recommendation_id = ANY(%s)"
)
# The joint makers a list row also shows (the endpoint's second many-to-many).
ALSO_MADE_BY_OF = (
    "SELECT x.recommendation_id, a.id, a.slug, a.name FROM recommendations_recommendation_also_made_by x "
    "JOIN recommendations_actor a ON a.id = x.actor_id WHERE x.recommendation_id = ANY(%s)"
)
LATEST_ON = (
    "SELECT s.status, s.as_of FROM recommendations_statusupdate s WHERE s.recommendation_id = r.id "
    "AND s.review_state = 'published' AND s.as_of <= %(on)s ORDER BY s.as_of DESC, s.created_at DESC, s.id DESC LIMIT 1"
)


# ── the floors: plain SQL for the same rows or counts ──────────────────────────────────────


def page_floor(cursor, where="TRUE", params=None, order=ORDER, count=True):
    """A page of recommendations with their actors and themes (+ the capped count)."""
    params = params or {}
    cursor.execute(
        f"SELECT {REC_COLUMNS} FROM {REC_FROM} WHERE {VISIBLE} AND {where} ORDER BY {order} LIMIT {PAGE + 1}", params
    )
    ids = [row[0] for row in cursor.fetchall()]
    for related in (THEMES_OF, ALSO_MADE_BY_OF):
        cursor.execute(related, [ids])
        cursor.fetchall()
    if count:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM recommendations_recommendation r WHERE {VISIBLE} AND {where} "
            f"LIMIT {COUNT_LIMIT + 1}) s",
            params,
        )
        cursor.fetchall()


# The search's query for one word, as recommendations/search.py builds it: the word in each language at once.
SEARCH_QUERY = (
    "(phraseto_tsquery('english', %(q)s) || phraseto_tsquery('russian', %(q)s) || phraseto_tsquery('simple', %(q)s))"
)


# A misspelt word: the words like it in the search's vocabulary (trigram index), as one query.
SIMILAR_QUERY = "(SELECT recommendations_search_similar(%(q)s))"


def search_floor(cursor, word, count=True, query=SEARCH_QUERY):
    """The best-ranked page for ``word`` through the same GIN index (rank over every match, then the
    page), the fragments of the page's rows by ts_headline, their themes (+ the capped count)."""
    params = {"q": word}
    cursor.execute(
        f"WITH page AS (SELECT r.id, ts_rank(r.search_vector, {query})::float8 AS rank "
        f"FROM recommendations_recommendation r WHERE {VISIBLE} AND r.search_vector @@ {query} "
        f"ORDER BY rank DESC, r.id DESC LIMIT {PAGE + 1}) "
        f"SELECT {REC_COLUMNS}, ts_headline(recommendations_search_config(r.language), r.text, {query}) "
        f"FROM page JOIN {REC_FROM} ON r.id = page.id ORDER BY page.rank DESC, page.id DESC",
        params,
    )
    ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(THEMES_OF, [ids])
    cursor.fetchall()
    if count:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM recommendations_recommendation r WHERE {VISIBLE} "
            f"AND r.search_vector @@ {query} LIMIT {COUNT_LIMIT + 1}) s",
            params,
        )
        cursor.fetchall()


def full_count(cursor):
    cursor.execute(f"SELECT count(*) FROM recommendations_recommendation r WHERE {VISIBLE}")
    cursor.fetchall()


def detail_floor(cursor, pk):
    cursor.execute(f"SELECT {REC_COLUMNS} FROM {REC_FROM} WHERE r.id = %s", [pk])
    cursor.fetchall()
    for related in (THEMES_OF, ALSO_MADE_BY_OF):
        cursor.execute(related, [[pk]])
        cursor.fetchall()
    for sql in (
        "SELECT p.* FROM recommendations_legalprovision p JOIN recommendations_recommendation_legal_provisions x "
        "ON x.legalprovision_id = p.id WHERE x.recommendation_id = %s",
        "SELECT g.* FROM recommendations_sustainabledevelopmentgoal g JOIN recommendations_recommendation_sdgs x "
        "ON x.sustainabledevelopmentgoal_id = g.id WHERE x.recommendation_id = %s",
        "SELECT g.* FROM recommendations_affectedgroup g JOIN recommendations_recommendation_affected_groups x "
        "ON x.affectedgroup_id = g.id WHERE x.recommendation_id = %s",
        "SELECT c.*, d.id, d.external_id, d.title FROM recommendations_citation c "
        "JOIN recommendations_sourcedocument d "
        "ON d.id = c.document_id WHERE c.recommendation_id = %s",
        "SELECT s.*, c.*, d.external_id, d.title FROM recommendations_statusupdate s "
        "LEFT JOIN recommendations_citation c ON c.status_update_id = s.id "
        "LEFT JOIN recommendations_sourcedocument d ON d.id = c.document_id "
        "WHERE s.recommendation_id = %s AND s.review_state = 'published' ORDER BY s.as_of DESC, s.id DESC",
    ):
        cursor.execute(sql, [pk])
        cursor.fetchall()


def stats_floor(cursor):
    cursor.execute(
        f"SELECT r.current_status, count(*), count(*) FILTER (WHERE r.due_on < CURRENT_DATE) "
        f"FROM recommendations_recommendation r WHERE {VISIBLE} GROUP BY 1"
    )
    cursor.fetchall()


# A status period (recommendations/status_periods.py) that covers the date.
PERIOD_COVERS = "p.starts_on <= %(on)s AND (p.ends_on > %(on)s OR p.ends_on IS NULL)"


def as_of_page_floor(cursor, status="in_progress"):
    """The page of recommendations whose status on the date was ``status``: the status periods of
    that status made by then, in the list's order (their index), each with its recommendation and
    actors; the page's themes and joint makers; the capped count."""
    params = {"on": AS_OF, "status": status}
    periods = f"p.status = %(status)s AND p.made_on_key <= %(on)s AND {PERIOD_COVERS} AND {VISIBLE}"
    matching = (
        "recommendations_statusperiod p JOIN recommendations_recommendation r ON r.id = p.recommendation_id "
        f"WHERE {periods}"
    )
    cursor.execute(
        f"SELECT {REC_COLUMNS}, p.status, p.starts_on FROM recommendations_statusperiod p JOIN {REC_FROM} "
        f"ON r.id = p.recommendation_id WHERE {periods} "
        f"ORDER BY p.made_on_key DESC, p.recommendation_id DESC LIMIT {PAGE + 1}",
        params,
    )
    ids = [row[0] for row in cursor.fetchall()]
    for related in (THEMES_OF, ALSO_MADE_BY_OF):
        cursor.execute(related, [ids])
        cursor.fetchall()
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {matching} LIMIT {COUNT_LIMIT + 1}) s", params)
    cursor.fetchall()


def stats_as_of_floor(cursor):
    """Counts by status on the date: the status periods that cover it, joined to the recommendations."""
    cursor.execute(
        f"SELECT COALESCE(p.status, ''), count(*), count(*) FILTER (WHERE r.due_on < %(on)s) "
        f"FROM recommendations_recommendation r LEFT JOIN recommendations_statusperiod p "
        f"ON p.recommendation_id = r.id AND {PERIOD_COVERS} WHERE {VISIBLE} AND r.made_on <= %(on)s GROUP BY 1",
        {"on": AS_OF},
    )
    cursor.fetchall()


def stats_as_of_lateral(cursor):
    """The floor before the status periods: per recommendation one probe of the history's index."""
    cursor.execute(
        f"SELECT l.status, count(*), count(*) FILTER (WHERE r.due_on < %(on)s) FROM recommendations_recommendation r "
        f"LEFT JOIN LATERAL ({LATEST_ON}) l ON TRUE WHERE {VISIBLE} AND r.made_on <= %(on)s GROUP BY 1",
        {"on": AS_OF},
    )
    cursor.fetchall()


def stats_theme_floor(cursor):
    cursor.execute(
        f"SELECT t.slug, t.name, r.current_status, count(*), count(*) FILTER (WHERE r.due_on < CURRENT_DATE) "
        f"FROM recommendations_recommendation r LEFT JOIN recommendations_recommendation_themes rt "
        f"ON rt.recommendation_id = r.id LEFT JOIN recommendations_theme t ON t.id = rt.theme_id "
        f"WHERE {VISIBLE} GROUP BY 1, 2, 3"
    )
    cursor.fetchall()


def timeline_floor(cursor, end="2025-12-31"):
    """Counts by status at each month end of 10 years, the best plain SQL we know: one pass over
    the status periods (the status of each published assessment date until the next) joined with
    the recommendations' dates, and a GROUP BY of the days spans (and, past a deadline, their
    overdue parts) begin and end, by status and by whether the date is known, plus the days
    recommendations were made; adding those up to each point is the caller's (a few thousand rows)."""
    cursor.execute("SET jit = off")
    cursor.execute(
        f"""
        WITH r AS (SELECT r.id, r.made_on, r.due_on FROM recommendations_recommendation r WHERE {VISIBLE}),
        s AS (
            SELECT p.status, r.made_on IS NOT NULL AS known, r.due_on,
                   GREATEST(p.starts_on, COALESCE(r.made_on, p.starts_on)) AS since, p.ends_on
            FROM recommendations_statusperiod p JOIN r ON r.id = p.recommendation_id
        ), p AS (
            SELECT status, known, due_on, since,
                   CASE WHEN ends_on IS NOT NULL THEN GREATEST(ends_on, since) END AS until
            FROM s
            UNION ALL
            SELECT '', TRUE, due_on, made_on, NULL FROM r WHERE made_on IS NOT NULL
        )
        SELECT 0, status, known, since, count(*) FROM p WHERE since <= %(end)s GROUP BY 2, 3, 4
        UNION ALL SELECT 1, status, known, until, count(*) FROM p WHERE until <= %(end)s GROUP BY 2, 3, 4
        UNION ALL SELECT 2, status, known, GREATEST(since, due_on), count(*) FROM p WHERE due_on IS NOT NULL
            GROUP BY 2, 3, 4
        UNION ALL SELECT 3, status, known, GREATEST(until, due_on), count(*) FROM p
            WHERE due_on IS NOT NULL AND until IS NOT NULL GROUP BY 2, 3, 4
        """,
        {"end": end},
    )
    cursor.fetchall()


def timeline_history_floor(cursor, end="2025-12-31"):
    """The timeline's floor before it read the status periods: each assessment's period from
    ``lag()`` over the published history in the index's order (the next assessment), then the same
    GROUP BYs. A join of the periods with the month ends, the obvious SQL, took 35 s at 100,000
    (load ≈ 12)."""
    cursor.execute("SET jit = off")
    cursor.execute(
        f"""
        WITH a AS (
            SELECT s.status, s.as_of, r.made_on, r.due_on,
                   lag(s.as_of) OVER w AS following, lead(s.as_of) OVER w AS preceding
            FROM recommendations_statusupdate s JOIN recommendations_recommendation r ON r.id = s.recommendation_id
            WHERE s.review_state = 'published' AND {VISIBLE}
            WINDOW w AS (PARTITION BY s.recommendation_id ORDER BY s.as_of DESC, s.created_at DESC, s.id DESC)
        ), p AS (
            SELECT status, GREATEST(as_of, made_on) AS since,
                   CASE WHEN following IS NOT NULL THEN GREATEST(following, as_of, made_on) END AS until, due_on FROM a
            UNION ALL
            SELECT '', made_on, GREATEST(as_of, made_on), due_on FROM a WHERE preceding IS NULL AND made_on IS NOT NULL
            UNION ALL
            SELECT '', r.made_on, NULL, r.due_on FROM recommendations_recommendation r
            WHERE {VISIBLE} AND r.made_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM recommendations_statusupdate s
                  WHERE s.recommendation_id = r.id AND s.review_state = 'published')
        )
        SELECT 0, status, since, count(*) FROM p WHERE since <= %(end)s GROUP BY 2, 3
        UNION ALL SELECT 1, status, until, count(*) FROM p WHERE until <= %(end)s GROUP BY 2, 3
        UNION ALL SELECT 2, '', GREATEST(since, due_on), count(*) FROM p
            WHERE due_on IS NOT NULL AND status <> 'implemented' GROUP BY 3
        UNION ALL SELECT 3, '', GREATEST(until, due_on), count(*) FROM p
            WHERE due_on IS NOT NULL AND until IS NOT NULL AND status <> 'implemented' GROUP BY 3
        """,
        {"end": end},
    )
    cursor.fetchall()
