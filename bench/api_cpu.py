"""The API's own CPU time per request, endpoint by endpoint (and where it goes, with --profile).

    nice -n 10 .venv/bin/python bench/api_cpu.py postgres://postgres@127.0.0.1:5432/tracker_bench_10000
    .venv/bin/python bench/api_cpu.py URL --only detail --profile 30

Through Django's test client in this process (production settings, no throttles), on a database
filled by ``generate_demo_data`` (``bench/scale.py`` makes them). For each endpoint: one warm-up,
then ``--repeat`` requests, each timed by ``time.process_time`` — the CPU this process spent,
which the machine's load does not change (the database's own work runs in its server and is
``bench/scale.py``'s floor). Prints the median and the least per endpoint, and the queries per
request. ``--profile N`` instead shows cProfile's top functions (cumulative) over N requests of
each endpoint selected by ``--only``.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2019-11-07"


def endpoints(client):
    """(name, URL) of the page endpoints, on whatever rows the database holds."""
    from recommendations.models import Recommendation, Theme

    theme = Theme.objects.filter(recommendations__isnull=False).order_by("id").first()
    public = Recommendation.objects.public()
    detail_pk = public.order_by("id")[public.count() // 2].pk
    cursor_page = client.get("/api/v1/recommendations/").json()["next"]
    return [
        ("list, first page", "/api/v1/recommendations/"),
        ("list, cursor page", cursor_page),
        ("list, status + theme", f"/api/v1/recommendations/?status=in_progress&theme={theme.slug}"),
        ("list, state under review", "/api/v1/recommendations/?state_under_review=KZ"),
        ("list, as_of + status", f"/api/v1/recommendations/?as_of={AS_OF}&status=in_progress"),
        ("list, q search", "/api/v1/recommendations/?q=assembly"),
        ("detail", f"/api/v1/recommendations/{detail_pk}/"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--only", nargs="+", default=[], help="Endpoints whose name contains one of these words.")
    parser.add_argument("--profile", type=int, default=0, help="Profile this many requests per endpoint instead.")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.settings import api_settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    api_settings.reload()
    client = Client()

    header = f"{'endpoint':<28} {'cpu median':>10} {'cpu min':>8} {'queries':>7}"
    print(f"{header}  (ms per request, {args.repeat} requests)")
    for name, url in endpoints(client):
        if args.only and not any(word in name for word in args.only):
            continue
        response = client.get(url)  # warm-up: imports, caches, plans
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(args.profile):
                client.get(url)
            profile.disable()
            print(f"\n── {name}: {url}")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        query_count = len(queries.captured_queries)  # now: the next request clears the log
        cpu = []
        for _ in range(args.repeat):
            started = time.process_time()
            client.get(url)
            cpu.append((time.process_time() - started) * 1000)
        print(f"{name:<28} {statistics.median(cpu):>10.1f} {min(cpu):>8.1f} {query_count:>7}")


if __name__ == "__main__":
    main()
