"""How the API and the admin scale: each endpoint at several data sizes, beside its floor.

    nice -n 19 .venv/bin/python bench/scale.py --sizes 10000 100000
    nice -n 19 .venv/bin/python bench/scale.py --sizes 10000 100000 1000000 --repeat 9

For each size it uses the PostgreSQL database ``<--prefix><size>`` on ``--server`` (default
``tracker_bench_10000`` …), and if that does not exist yet it creates it, migrates it and fills it
with ``generate_demo_data --recommendations <size> --seed 1`` (kept for the next run; drop it with
``dropdb``). Then, for every endpoint, in process through Django's test client (DEBUG off, no
throttles; the server's time without the network): the median and the 95th percentile of
``--repeat`` runs after a warm-up, and the same for its **floor**: the same rows or counts fetched
by the plainest SQL through psycopg on the same database and indexes. It prints one table with the
ratio endpoint / floor per size and the growth ratio largest / smallest size per endpoint, for all
sizes at once. A call slower than ``--timeout`` seconds (default 60) is stopped (and the database's
``statement_timeout`` stops its query) and shows as "timeout after N s" instead of a figure, so a
run at 1,000,000 always ends with its table. The ranked ``q`` search is measured with a common, a
rare and a misspelt word. The first page, a deep cursor page and the detail also have a
**framework floor** row (``bench/framework_floor.py``): their floor's statements served by a bare
DRF view through the same client and middleware, what this stack costs before any endpoint code.

Each size runs in its own process (Django binds one database per process); see docs/performance.md.
"""

import argparse
import contextlib
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from floors import (  # bench/floors.py: the plain-SQL floors and the list's constants
    AS_OF,
    LATEST_ON,
    ORDER,
    PAGE,
    SIMILAR_QUERY,
    as_of_page_floor,
    detail_floor,
    full_count,
    page_floor,
    search_floor,
    stats_as_of_floor,
    stats_as_of_lateral,
    stats_floor,
    stats_theme_floor,
    timeline_floor,
    timeline_history_floor,
)

ROOT = Path(__file__).resolve().parent.parent


# ── one size, in its own process ───────────────────────────────────────────────────────────


class CallTimeout(Exception):
    """One call took longer than ``--timeout`` seconds."""


@contextlib.contextmanager
def time_limit(seconds):
    """Raise CallTimeout in the block after ``seconds`` (the database stops a query at the same
    limit by itself: ``statement_timeout``, set on both connections)."""

    def expire(signum, frame):
        raise CallTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Exception as error:  # the database's own timeout, or our alarm inside the driver
        if isinstance(error, CallTimeout) or "statement timeout" in str(error):
            raise CallTimeout from error
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def measure(function, repeat, timeout):
    """Median and p95 wall time in ms, and the median CPU time this process spent (ms): on a
    loaded machine the wall time of the niced endpoint includes waiting for a core, its CPU time
    does not (the floor's work is mostly the database's, in another process). Raises CallTimeout
    when a call takes more than ``timeout`` seconds (the rest are not run)."""
    with time_limit(timeout):
        function()  # warm-up: caches, plans, imports
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        with time_limit(timeout):
            function()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, statistics.median(cpu)


def buffers_read(call):
    """The database pages (8 kB buffers, from cache or disk) that one call's SELECTs touch, by
    EXPLAIN (ANALYZE, BUFFERS) of each query it runs: the database's work, which neither the
    machine's load nor the cache's warmth changes, so it shows whether an endpoint grows with the
    table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    total = 0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {query['sql']}")
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
            total += plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
    return total


def run_one(database_url, repeat, only=(), timeout=60):
    """Measure every endpoint and its floor on one database; print JSON. A call that takes more
    than ``timeout`` seconds is stopped and reported as a timeout instead of a figure."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.db import connection as django_connection

    # Both connections as the tracker's sessions run: without PostgreSQL's JIT (tracker/database.py).
    statement_timeout = f"-c statement_timeout={int(timeout * 1000)} -c jit=off"
    django_connection.settings_dict.setdefault("OPTIONS", {})["options"] = statement_timeout
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.settings import api_settings

    from recommendations.models import Recommendation, Theme

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    api_settings.reload()
    import framework_floor  # after the reload: DRF's views read the throttle classes on import

    client = Client()
    admin = Client()
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True})
    user.is_superuser = user.is_staff = True
    user.save()
    admin.force_login(user)

    total = Recommendation.objects.public().count()
    theme = Theme.objects.filter(recommendations__isnull=False).order_by("id").first()
    deep_page = max(2, total // PAGE // 2)
    deep = client.get("/api/v1/recommendations/", {"page": deep_page - 1}).json()["next"]
    deep_row = client.get(deep).json()["results"][0]
    detail_pk = Recommendation.objects.public().order_by("id")[total // 2].pk
    deep_date = deep_row["made_on"] or "0001-01-01"

    # The as_of + status list ten pages down, by its cursor.
    as_of_deep = f"/api/v1/recommendations/?as_of={AS_OF}&status=in_progress"
    for _ in range(10):
        as_of_deep = client.get(as_of_deep).json()["next"]
    print(f"  deep pages: page {deep_page:,}, row {deep_page * PAGE:,}", file=sys.stderr)
    connection = psycopg.connect(_conninfo(settings), autocommit=True, options=statement_timeout)
    sql = connection.cursor()

    def reconnect():
        """After a timeout: fresh connections (a query stopped midway may leave one unusable)."""
        nonlocal connection, sql
        django_connection.close()
        connection.close()
        connection = psycopg.connect(_conninfo(settings), autocommit=True, options=statement_timeout)
        sql = connection.cursor()

    def get(url, browser=client):
        def call():
            response = browser.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:200])

        return call

    def cached(call):
        """``call`` with the public's stats kept in the (local-memory) cache, as with Redis."""

        def with_cache():
            settings.API_STATS_CACHE_SECONDS = 300
            try:
                call()
            finally:
                settings.API_STATS_CACHE_SECONDS = 0

        return with_cache

    theme_where = (
        "r.current_status = 'in_progress' AND r.id IN (SELECT recommendation_id FROM "
        "recommendations_recommendation_themes WHERE theme_id = %(theme)s)"
    )
    as_of_where = f"r.made_on <= %(on)s AND ({LATEST_ON.replace('s.status, s.as_of', 's.status')}) = 'in_progress'"

    def deep_page_floor(cursor):
        keys = {"d": deep_date, "id": deep_row["id"]}
        page_floor(cursor, "(COALESCE(r.made_on, '0001-01-01'::date), r.id) <= (%(d)s, %(id)s)", keys, count=False)

    # The same statements served by a bare DRF view: what this stack costs before any endpoint code.
    framework = framework_floor.mount(
        {
            "first-page": page_floor,
            "deep-page": deep_page_floor,
            "detail": lambda cursor: detail_floor(cursor, detail_pk),
        }
    )
    endpoints = [
        ("list, first page", get("/api/v1/recommendations/"), lambda: page_floor(sql)),
        ("list, first page: framework floor", get(framework["first-page"]), lambda: page_floor(sql)),
        ("list, deep page by cursor (middle of the list)", get(deep), lambda: deep_page_floor(sql)),
        ("list, deep page by cursor: framework floor", get(framework["deep-page"]), lambda: deep_page_floor(sql)),
        (
            "list, deep page by ?page= (middle of the list)",
            get(f"/api/v1/recommendations/?page={deep_page}"),
            lambda: page_floor(sql, "TRUE", {}, order=f"{ORDER} OFFSET {(deep_page - 1) * PAGE}"),
        ),
        (
            "list, status + theme",
            get(f"/api/v1/recommendations/?status=in_progress&theme={theme.slug}"),
            lambda: page_floor(sql, theme_where, {"theme": theme.pk}),
        ),
        (
            "list, state under review",
            get("/api/v1/recommendations/?state_under_review=KZ"),
            lambda: page_floor(sql, "r.addressed_to_id IN (SELECT id FROM recommendations_actor WHERE country = 'KZ')"),
        ),
        # Ranked search: a common word (every match is ranked before the page), a rare one, a misspelt
        # one (no row has it: the words like it from the vocabulary's trigram index, then as above).
        (
            "list, q search (common word)",
            get("/api/v1/recommendations/?q=assembly"),
            lambda: search_floor(sql, "assembly"),
        ),
        (
            "list, q search (rare word)",
            get("/api/v1/recommendations/?q=pollution"),
            lambda: search_floor(sql, "pollution"),
        ),
        (
            "list, q search (misspelt)",
            get("/api/v1/recommendations/?q=polution"),
            lambda: search_floor(sql, "polution", query=SIMILAR_QUERY),
        ),
        (
            "list, as_of + status",
            get(f"/api/v1/recommendations/?as_of={AS_OF}&status=in_progress"),
            lambda: as_of_page_floor(sql),
        ),
        (
            "list, as_of + status, deep page by cursor",
            get(as_of_deep),
            None,
        ),
        ("detail", get(f"/api/v1/recommendations/{detail_pk}/"), lambda: detail_floor(sql, detail_pk)),
        ("detail: framework floor", get(framework["detail"]), lambda: detail_floor(sql, detail_pk)),
        ("stats/", get("/api/v1/stats/"), lambda: stats_floor(sql)),
        (f"stats/?as_of={AS_OF}", get(f"/api/v1/stats/?as_of={AS_OF}"), lambda: stats_as_of_floor(sql)),
        # The floor before the status periods (SQL only, in the floor column), and the old list's.
        ("before: stats/?as_of= by a LATERAL probe per row", None, lambda: stats_as_of_lateral(sql)),
        ("before: as_of + status by a subquery per row", None, lambda: page_floor(sql, as_of_where, {"on": AS_OF})),
        ("stats/?group_by=theme", get("/api/v1/stats/?group_by=theme"), lambda: stats_theme_floor(sql)),
        (
            "stats/timeline/ 10 years by month",
            get("/api/v1/stats/timeline/?start=2016-01-01&end=2025-12-31&interval=month"),
            lambda: timeline_floor(sql),
        ),
        ("before: timeline by a window over the history", None, lambda: timeline_history_floor(sql)),
        (
            "admin changelist, status filter",
            get("/admin/recommendations/recommendation/?current_status__exact=in_progress", admin),
            lambda: page_floor(sql, "r.current_status = 'in_progress'"),
        ),
        (
            "admin changelist, search",
            get("/admin/recommendations/recommendation/?q=assembly", admin),
            lambda: search_floor(sql, "assembly"),
        ),
        ("dashboard: stats/?group_by=country", get("/api/v1/stats/?group_by=country"), lambda: stats_floor(sql)),
        (
            "dashboard: stats/timeline/ 10 years by quarter",
            get("/api/v1/stats/timeline/?start=2016-01-01&end=2025-12-31&interval=quarter"),
            lambda: timeline_floor(sql),
        ),
        ("dashboard: overview /en/ (no stats cache)", get("/en/"), None),
        ("dashboard: overview /en/ (stats cache warm)", cached(get("/en/")), None),
        ("dashboard: themes/", get("/api/v1/themes/"), None),
        # Public only where a public row cites it: the visibility check must stop at the first one.
        ("documents/ (the public list)", get("/api/v1/documents/"), None),
        # What every list page also ran before the count was capped (SQL only, in the floor column).
        ("before: full COUNT(*) of the list", None, lambda: full_count(sql)),
    ]
    results = []
    for name, endpoint, floor in endpoints:
        if only and not any(word in name for word in only):
            continue
        row = {"name": name, "median": None, "p95": None, "cpu": None, "buffers": None, "floor": None}
        row["floor_p95"] = row["timeout"] = row["floor_timeout"] = None
        if endpoint:
            try:
                row["median"], row["p95"], row["cpu"] = measure(endpoint, repeat, timeout)
                with time_limit(timeout):
                    row["buffers"] = buffers_read(endpoint)
            except CallTimeout:
                row["timeout"] = timeout
                reconnect()
        if floor:
            try:
                row["floor"], row["floor_p95"], _ = measure(floor, repeat, timeout)
            except CallTimeout:
                row["floor_timeout"] = timeout
                reconnect()
        results.append(row)
        endpoint_figures = (
            f"timeout after {timeout:g} s"
            if row["timeout"]
            else f"{row['median'] or 0:.1f} ms, p95 {row['p95'] or 0:.1f}, cpu {row['cpu'] or 0:.1f}, "
            f"{row['buffers'] or 0:,} buffers"
        )
        floor_figure = f"timeout after {timeout:g} s" if row["floor_timeout"] else f"{row['floor'] or 0:.1f}"
        print(f"  {name}: {endpoint_figures} (floor {floor_figure})", file=sys.stderr)
    connection.close()
    print(json.dumps({"total": total, "load": os.getloadavg(), "results": results}))


def _conninfo(settings):
    database = settings.DATABASES["default"]
    return (
        f"host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} dbname={database['NAME']} "
        f"user={database['USER']}" + (f" password={database['PASSWORD']}" if database["PASSWORD"] else "")
    )


# ── the driver ──────────────────────────────────────────────────────────────────────────────


def prepare(server, name, size):
    """Create, migrate and fill the database for one size unless it exists."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    if not exists:
        subprocess.run(
            [*manage, "generate_demo_data", "--recommendations", str(size), "--seed", "1"],
            check=True,
            env=env,
            cwd=ROOT,
        )
    else:
        # Demo data generated before the load indexed its rows has no search vectors: index them
        # once (the search's trigger, row by row), or q= would find nothing and time nothing.
        with psycopg.connect(url, autocommit=True) as connection:
            unindexed = "FROM recommendations_recommendation WHERE search_vector IS NULL"
            if connection.execute(f"SELECT EXISTS (SELECT 1 {unindexed})").fetchone()[0]:
                print(f"indexing the rows of {name} for the search (once) …", file=sys.stderr)
                connection.execute(
                    f"UPDATE recommendations_recommendation SET search_related = '' WHERE id IN (SELECT id {unindexed})"
                )
                connection.execute("ANALYZE recommendations_recommendation")
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--prefix", default="tracker_bench_")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--results",
        type=Path,
        help="A JSON file that keeps each size's figures: sizes measured now are added to it (replacing the same "
        "size), and the table shows every size in it (to measure 1,000,000 in a separate run).",
    )
    parser.add_argument(
        "--only", nargs="+", default=[], help="Measure only the endpoints whose name contains one of these words."
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60,
        help="Seconds one call (an endpoint's or a floor's) may take; a slower one is stopped and shown as "
        "“timeout after N s” instead of a figure (default 60).",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one database
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.repeat, args.only, args.timeout)
        return
    measured = {}
    if args.results and args.results.exists():
        measured = {int(size): figures for size, figures in json.loads(args.results.read_text()).items()}
    for size in args.sizes:
        url = prepare(args.server, f"{args.prefix}{size}", size)
        print(f"measuring {size:,} …", file=sys.stderr)
        run = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                url,
                "--repeat",
                str(args.repeat),
                "--timeout",
                str(args.timeout),
                *(["--only", *args.only] if args.only else []),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        if run.returncode:  # the other sizes still make the table
            print(f"measuring {size:,} failed (exit status {run.returncode}); see above", file=sys.stderr)
            continue
        measured[size] = json.loads(run.stdout.strip().splitlines()[-1])
        if args.results:
            args.results.write_text(json.dumps(measured, indent=1))
    if measured:
        print_table(measured, args.repeat)


def print_table(measured, repeat):
    """One table: every endpoint, every size measured (a timeout shows as “timeout after N s”)."""
    sizes = sorted(measured)
    print(f"PostgreSQL, median / p95 of {repeat} runs in ms; ratio = endpoint / floor (plain SQL through psycopg)")
    print("sizes: " + ", ".join(f"{size:,} recommendations ({measured[size]['total']:,} public)" for size in sizes))
    print(
        "load average during each size's run: "
        + ", ".join(
            f"{size:,}: {' '.join(f'{value:.1f}' for value in measured[size].get('load', []))}" for size in sizes
        )
    )
    header = f"{'endpoint':<44}"
    for size in sizes:
        header += f" | {f'{size:,}: median/p95':>20} {'cpu':>6} {'buffers':>7} {'floor':>7} {'ratio':>6}"
    header += f" | {'growth':>6}"
    print(header)
    print("-" * len(header))
    by_name = {size: {row["name"]: row for row in measured[size]["results"]} for size in sizes}
    names = list(dict.fromkeys(row["name"] for size in sizes for row in measured[size]["results"]))
    for name in names:
        line = f"{name[:44]:<44}"
        for size in sizes:
            row = by_name[size].get(name)
            if row is None:
                line += f" | {'not measured':>20} {'':>6} {'':>7} {'':>7} {'':>6}"
                continue
            ratio = f"{row['median'] / row['floor']:.1f}" if row["floor"] and row["median"] else "–"
            floor = f"{row['floor']:.1f}" if row["floor"] else "–"
            if row.get("floor_timeout"):
                floor = f">{row['floor_timeout']:g}s"
            if row.get("timeout"):
                timing = f"timeout after {row['timeout']:g} s".rjust(20)
            elif row["median"]:
                timing = f"{row['median']:>11.1f}/{row['p95']:<8.1f}"
            else:
                timing = f"{'–':>11} {'':<8}"
            cpu = f"{row['cpu']:.1f}" if row.get("cpu") else "–"
            buffers = f"{row['buffers']:,}" if row.get("buffers") else "–"
            line += f" | {timing} {cpu:>6} {buffers:>7} {floor:>7} {ratio:>6}"
        first, last = by_name[sizes[0]].get(name), by_name[sizes[-1]].get(name)
        key = "median" if first and (first["median"] or first.get("timeout")) else "floor"
        growth = f"{last[key] / first[key]:.2f}" if first and last and first[key] and last[key] else "–"
        line += f" | {growth:>6}"
        print(line)
    print(
        f"cpu = median CPU time of the endpoint's process (not waiting for a core); buffers = database pages its "
        f"queries touch (EXPLAIN ANALYZE, BUFFERS); growth = median at "
        f"{sizes[-1]:,} / median at {sizes[0]:,}; generated {datetime.date.today().isoformat()}"
    )


if __name__ == "__main__":
    main()
