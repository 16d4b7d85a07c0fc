"""``manage.py import_upr FILE``: import a UPR Info recommendation export (see docs/upr-import.md)."""

import functools
import textwrap
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recommendations.upr_import import UprImportError, UprImportReport, upr_import

# How many updated rows to list; -v 2 lists them all.
LISTED_UPDATES = 20


class Command(BaseCommand):
    help = (
        "Import a UPR Info recommendation export (CSV). Safe to run again: rows already imported are "
        "left alone, changed rows are updated. Nothing is written if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The exported CSV file.")
        parser.add_argument(
            "--encoding", default=None, help="The file's text encoding, e.g. mac_roman (default: detect it)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change without writing.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the new recommendations at once (default: they are drafts for a reviewer to publish).",
        )

    def handle(self, *args, file, encoding, dry_run, publish, verbosity, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        # The bar goes to stderr, and only to a terminal: logs and pipes get the summary alone. It
        # writes to the raw stream: Django's OutputWrapper would end every redraw with a newline.
        progress = functools.partial(
            tqdm, file=self.stderr._out, disable=verbosity == 0 or not self.stderr.isatty(), leave=False
        )
        started = time.perf_counter()
        try:
            report = upr_import(content=content, encoding=encoding, dry_run=dry_run, progress=progress, publish=publish)
        except UprImportError as error:
            raise CommandError(f"{file}: {error}\nNothing was imported: the database is as it was.") from error
        elapsed = time.perf_counter() - started
        self._summary(file, report, elapsed, verbosity)

    def _summary(self, file: Path, report: UprImportReport, elapsed: float, verbosity: int) -> None:
        write = self.stdout.write
        how = "detected" if report.encoding_detected else "as given"
        if verbosity >= 1:
            write(f"{file.name}: {report.rows} rows read as {report.encoding} ({how}) in {elapsed:.1f} s.")
            write(self._table(report))
        updates = [change for change in report.changes if change.action == "update"]
        for change in updates if verbosity >= 2 else updates[: LISTED_UPDATES if verbosity else 0]:
            what = "; ".join(f"{field}: {old} → {new}" for field, old, new in change.changes)
            write(f"  row {change.number} ({change.state_under_review} ← {change.recommending_state}): {what}")
        if verbosity == 1 and len(updates) > LISTED_UPDATES:
            write(f"  … and {len(updates) - LISTED_UPDATES} more updated rows (-v 2 lists them all).")
        for duplicate in report.duplicates if verbosity >= 1 else ():
            write(
                f"  row {duplicate.number} repeats row {duplicate.first_number} exactly "
                f"({duplicate.state_under_review}): stored once."
            )
        for label, names in (("New state actors", report.new_actors), ("New themes", report.new_themes)):
            if names and verbosity >= 1:
                write(textwrap.fill(f"{label} ({len(names)}): {', '.join(names)}.", width=100, subsequent_indent="  "))
        if report.names_without_country:
            self.stderr.write(
                self.style.WARNING(
                    "No country code found for: "
                    f"{', '.join(report.names_without_country)} (their actors have no country; add one in the admin)."
                )
            )
        totals = report.totals
        counts = (
            f"{totals.created} created, {totals.updated} updated, {totals.unchanged} unchanged, "
            f"{totals.duplicates} duplicate rows"
        )
        if report.dry_run:
            write(self.style.WARNING(f"Dry run: nothing was written. Would have: {counts}."))
        elif report.changed:
            write(self.style.SUCCESS(f"Imported: {counts}."))
        else:
            write(f"Nothing to change: {counts}.")

    @staticmethod
    def _table(report: UprImportReport) -> str:
        header = ("State under review", "created", "updated", "unchanged", "duplicates")
        rows = [
            (state, counts.created, counts.updated, counts.unchanged, counts.duplicates)
            for state, counts in sorted(report.per_state.items(), key=lambda item: item[0].casefold())
        ]
        totals = report.totals
        rows.append(("Total", totals.created, totals.updated, totals.unchanged, totals.duplicates))
        width = max(len(header[0]), *(len(row[0]) for row in rows))
        lines = [f"{header[0]:<{width}}  " + "  ".join(f"{title:>9}" for title in header[1:])]
        lines.append("-" * len(lines[0]))
        for position, row in enumerate(rows):
            if position == len(rows) - 1:
                lines.append("-" * len(lines[0]))
            lines.append(f"{row[0]:<{width}}  " + "  ".join(f"{value:>9}" for value in row[1:]))
        return "\n".join(lines)
