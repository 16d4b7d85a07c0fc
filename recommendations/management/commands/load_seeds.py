"""``manage.py load_seeds``: load the seed documents and curated data in one transaction."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations.seeds import SeedError, seeds_load


class Command(BaseCommand):
    help = "Load the seed source documents and the curated data file (seeds/curated.yaml). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, default=None, help="Folder holding curated.yaml and the documents."
        )

    def handle(self, *args, directory=None, **options):
        directory = directory or Path(settings.SEEDS_DIR)
        try:
            report = seeds_load(directory=directory)
        except SeedError as error:
            raise CommandError(f"{error}\nNothing was loaded: the database is as it was.") from error
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        if not report.changed:
            total = sum(report.present.values())
            self.stdout.write(f"Seed data already loaded: all {total} entries present, nothing changed.")
            return
        created = ", ".join(f"{count} {kind}" for kind, count in report.created.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded seed data: created {created}."))
        if report.present:
            present = ", ".join(f"{count} {kind}" for kind, count in report.present.items())
            self.stdout.write(f"Already present, left as they are: {present}.")
