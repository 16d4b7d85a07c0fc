"""The public dashboard's overview on many recommendations: its first render and its API calls.

    DATABASE_URL=postgres://…/scratch nice -n 19 python bench/dashboard.py --count 100000
    DATABASE_URL=postgres://…/stats_bench_100000 nice -n 19 python bench/dashboard.py --existing --stats-cache

``--existing`` measures the data already there (``generate_demo_data``), creating nothing;
``--stats-cache`` keeps the public's counts in the (local-memory) cache as Redis would in
production (``API_STATS_CACHE_SECONDS``): the first render fills it, the further renders read it.

Creates ``--count`` recommendations with random status histories (``bench/api.py``'s generator)
inside one transaction, renders the overview (``/en/``) in process through Django's test client
(the server's time, without the network), and rolls everything back: the database is left as it
was. Prints the first render, the median of ``--repeat`` further renders, and for each API call
the page made on the server, then each call its JavaScript makes for the charts: median ms,
queries.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import make_data
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard.api import ApiClient

PAGES = ["/en/", "/en/?as_of=2019-11-07", "/en/?theme=theme-3&kind=promise"]


def timed(function):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = (time.perf_counter() - started) * 1000
    return result, elapsed, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--existing", action="store_true", help="measure the data already in the database")
    parser.add_argument("--stats-cache", action="store_true", help="cache the public's counts (as with Redis)")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.API_STATS_CACHE_SECONDS = 300 if args.stats_cache else 0
    client = Client()
    calls = []
    original_get = ApiClient.get

    def recording_get(self, path, params=None):
        result, elapsed, queries = timed(lambda: original_get(self, path, params))
        calls.append((self.calls[-1], elapsed, queries))
        return result

    ApiClient.get = recording_get
    with transaction.atomic():
        started = time.perf_counter()
        if args.existing:
            from recommendations.models import Recommendation, StatusUpdate

            print(
                f"{connection.vendor}: {Recommendation.objects.count()} recommendations, "
                f"{StatusUpdate.objects.count()} status updates (existing data)"
            )
        else:
            updates = make_data(args.count)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(
                f"{connection.vendor}: {args.count} recommendations, {updates} status updates "
                f"(made in {time.perf_counter() - started:.1f} s)"
            )
        for page in PAGES:
            calls.clear()
            response, first, queries = timed(lambda page=page: client.get(page))
            assert response.status_code == 200, (page, response.status_code)
            server_calls = list(calls)
            renders = [timed(lambda page=page: client.get(page))[1] for _ in range(args.repeat)]
            print(
                f"\n{page}: first render {first:.0f} ms, {queries} queries, {len(server_calls)} API calls; "
                f"median of {args.repeat} more renders {statistics.median(renders):.0f} ms; "
                f"{len(response.content) // 1024} KiB of HTML"
            )
            print(f"{'ms':>8} {'queries':>7}  API call on the server")
            for url, elapsed, count in server_calls:
                print(f"{elapsed:8.1f} {count:7d}  {url}")
            chart_urls = [url.replace("&amp;", "&") for url in re.findall(r'data-api="([^"]+)"', response.text)]
            print(f"{'ms':>8} {'queries':>7}  API call from the browser (charts)")
            for url in chart_urls:
                answer, elapsed, count = timed(lambda url=url: client.get(url, headers={"accept": "application/json"}))
                assert answer.status_code == 200, (url, answer.status_code)
                print(f"{elapsed:8.1f} {count:7d}  {url}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
