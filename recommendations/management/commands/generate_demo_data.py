"""``manage.py generate_demo_data --recommendations N [--seed S]``: synthetic data for demos and load
tests (see recommendations/demo/generate.py and docs/performance.md)."""

import functools

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from recommendations.demo.generate import generate_demo_data


def positive(value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(f"“{value}” is not a whole number of 1 or more.")
    return number


class Command(BaseCommand):
    help = (
        "Add N synthetic recommendations with documents, status histories and citations (deterministic for "
        "a seed; ~85% published). For demonstrations and load tests, never on a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=positive, required=True, help="How many to add.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (default 1).")
        parser.add_argument("--batch-size", type=positive, default=5000, help="Recommendations per transaction.")

    def handle(self, *args, recommendations, seed, batch_size, verbosity, **options):
        # The bar goes to stderr, only to a terminal (see import_upr).
        progress = functools.partial(
            tqdm, file=self.stderr._out, disable=verbosity == 0 or not self.stderr.isatty(), leave=False
        )
        try:
            report = generate_demo_data(
                recommendations=recommendations, seed=seed, batch_size=batch_size, progress=progress
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, so the planner sees the new size
        seconds = max(report.seconds, 1e-9)
        self.stdout.write(
            f"Added {report.recommendations:,} recommendations, {report.status_updates:,} status updates, "
            f"{report.citations:,} citations and {report.documents:,} documents (seed {seed}) in {seconds:.1f} s: "
            f"{report.recommendations / seconds:,.0f} recommendations/s, {report.rows / seconds:,.0f} rows/s."
        )
