"""Time the dashboard API on synthetic data and print the figures.

    DATABASE_URL=postgres://…/scratch python bench/api.py --count 50000

Creates ``--count`` recommendations with random status histories inside one transaction,
times each request (median of ``--repeat`` runs, in process through Django's test client, so
the figures are the server's time without the network) and rolls everything back at the end:
the database is left as it was. Prints one line per request: median ms, queries, rows.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Test settings: production behaviour (DEBUG off, so no query log skews the figures), no .env needed.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from recommendations.models import (  # noqa: E402
    Actor,
    Citation,
    ImplementationStatus,
    Recommendation,
    SourceDocument,
    StatusUpdate,
    Theme,
)

REQUESTS = [
    "/api/v1/recommendations/",
    "/api/v1/recommendations/?page_size=500",
    "/api/v1/recommendations/?page=100",
    "/api/v1/recommendations/?kind=promise&status=in_progress",
    "/api/v1/recommendations/?overdue=true",
    "/api/v1/recommendations/?theme=theme-3&ordering=-due_on",
    "/api/v1/recommendations/?q=assembly",
    "/api/v1/recommendations/?as_of=2019-11-07",
    "/api/v1/recommendations/?as_of=2019-11-07&status=not_started",
    "/api/v1/recommendations/?full=true&page_size=100",
    "/api/v1/recommendations/?format=csv&page_size=500",
    "/api/v1/status-updates/",
    "/api/v1/stats/",
    "/api/v1/stats/?group_by=theme",
    "/api/v1/stats/?group_by=actor",
    "/api/v1/stats/?as_of=2019-11-07",
    "/api/v1/stats/?as_of=2019-11-07&group_by=theme",
    "/api/v1/stats/timeline/?start=2018-01-01&end=2022-12-31&interval=quarter",
    "/api/v1/stats/timeline/?start=2016-01-01&end=2025-12-31&interval=month",
]


def make_data(count, seed=1):
    """``count`` recommendations, each with 0–4 assessments between 2015 and 2025."""
    rng = random.Random(seed)
    state = Actor.objects.create(name="Bench state", slug="bench-state", kind="state", country="KZ")
    makers = Actor.objects.bulk_create(
        [Actor(name=f"Bench actor {n}", slug=f"bench-actor-{n}", kind="ngo") for n in range(50)]
    )
    themes = Theme.objects.bulk_create([Theme(name=f"Bench theme {n}", slug=f"theme-{n}") for n in range(20)])
    document = SourceDocument.objects.create(
        external_id="bench.txt", title="Bench", text="The assembly law reform stalled in parliament."
    )
    words = ["assembly", "torture", "media", "elections", "courts", "police", "women", "labour"]
    recommendations, histories = [], []
    for n in range(count):
        made_on = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(3650))
        due_on = made_on + datetime.timedelta(days=rng.randrange(30, 1500)) if rng.random() < 0.5 else None
        history = sorted(
            (made_on + datetime.timedelta(days=rng.randrange(1, 2000)), rng.choice(ImplementationStatus.values))
            for _ in range(rng.randrange(5))
        )
        latest = history[-1] if history else ("", None)
        recommendations.append(
            Recommendation(
                title=f"Bench {n}: {rng.choice(words)} and {rng.choice(words)}",
                text=" ".join(rng.choice(words) for _ in range(40)),
                kind=rng.choice(["recommendation", "promise"]),
                made_by=rng.choice(makers),
                addressed_to=state,
                made_on=made_on,
                due_on=due_on,
                current_status=latest[1] if history else "",
                current_status_as_of=latest[0] if history else None,
                review_state="published",  # the public API shows only published data
            )
        )
        histories.append(history)
    recommendations = Recommendation.objects.bulk_create(recommendations, batch_size=2000)
    Through = Recommendation.themes.through
    Through.objects.bulk_create(
        [Through(recommendation_id=r.pk, theme_id=rng.choice(themes).pk) for r in recommendations], batch_size=5000
    )
    updates = StatusUpdate.objects.bulk_create(
        [
            StatusUpdate(recommendation=r, status=status, as_of=as_of, summary="bench", review_state="published")
            for r, history in zip(recommendations, histories, strict=True)
            for as_of, status in history
        ],
        batch_size=5000,
    )
    Citation.objects.bulk_create(
        [Citation(document=document, quote="assembly law", status_update=u) for u in updates], batch_size=5000
    )
    return len(updates)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    from rest_framework.settings import api_settings

    api_settings.reload()
    client = Client()
    with transaction.atomic():
        started = time.perf_counter()
        updates = make_data(args.count)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {args.count} recommendations, {updates} status updates "
            f"(made in {time.perf_counter() - started:.1f} s); median of {args.repeat} runs"
        )
        print(f"{'ms':>8} {'queries':>7} {'bytes':>9}  request")
        for url in REQUESTS:
            timings = []
            for _ in range(args.repeat):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code, response.content[:300])
            print(f"{statistics.median(timings):8.1f} {len(queries):7d} {len(response.content):9d}  {url}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
