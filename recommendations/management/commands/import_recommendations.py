"""``manage.py import_recommendations FILE``: import a file of recommendations in any format the
importers know (``import_upr`` is the same command under its old name; see docs/upr-import.md)."""

import argparse
import datetime
import functools
import textwrap
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recommendations.importers import (
    FORMATS,
    ImportRefused,
    ImportReport,
    import_file,
    summary,
    unmapped_summary,
    unresolved_summary,
)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date (YYYY-MM-DD).") from None


# How many updated rows to list; -v 2 lists them all.
LISTED_UPDATES = 20


class Command(BaseCommand):
    help = (
        "Import recommendations from a file (a UPR Info export as CSV, TSV, XLS or XLSX, …; the format is "
        "recognised). Safe to run again: rows already imported are left alone, changed rows are updated. "
        "Nothing is written if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The file to import.")
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", *FORMATS],
            help="The file's format (default: auto, recognised from the file's first bytes and headers).",
        )
        parser.add_argument(
            "--state-under-review",
            default="",
            help="Import only this state's rows (its name or ISO code), or name the state a file is about.",
        )
        parser.add_argument(
            "--encoding", default=None, help="A text file's encoding, e.g. mac_roman (default: detect it)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change without writing.")
        parser.add_argument(
            "--assessed-by",
            default="",
            help="For a file that holds assessments (an OHCHR list with its assessment column filled in): the "
            "slug of the actor whose assessments they are.",
        )
        parser.add_argument(
            "--assessed-on",
            type=_date,
            default=None,
            help="The date of those assessments (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the new recommendations at once (default: they are drafts for a reviewer to publish).",
        )

    def handle(
        self,
        *args,
        file,
        format,
        state_under_review,
        encoding,
        dry_run,
        publish,
        assessed_by,
        assessed_on,
        verbosity,
        **options,
    ):
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
            report = import_file(
                content=content,
                file_name=file.name,
                format=format,
                encoding=encoding,
                state_under_review=state_under_review,
                dry_run=dry_run,
                progress=progress,
                publish=publish,
                assessed_by=assessed_by,
                assessed_on=assessed_on,
            )
        except ImportRefused as error:
            raise CommandError(f"{file}: {error}\nNothing was imported: the database is as it was.") from error
        elapsed = time.perf_counter() - started
        self._summary(file, report, elapsed, verbosity)

    def _summary(self, file: Path, report: ImportReport, elapsed: float, verbosity: int) -> None:
        write = self.stdout.write
        if verbosity >= 1:
            how = f" ({'detected' if report.encoding_detected else 'as given'})" if report.encoding else ""
            write(
                f"{file.name}: {report.rows} rows read as {report.format}, {report.file_description}{how}, "
                f"in {elapsed:.1f} s."
            )
            write(self._table(report))
        updates = [change for change in report.changes if change.action == "update"]
        for change in updates if verbosity >= 2 else updates[: LISTED_UPDATES if verbosity else 0]:
            what = "; ".join(f"{field}: {old} → {new}" for field, old, new in change.changes)
            write(f"  row {change.number} ({change.state_under_review} ← {change.recommending_state}): {what}")
        if verbosity == 1 and len(updates) > LISTED_UPDATES:
            write(f"  … and {len(updates) - LISTED_UPDATES} more updated rows (-v 2 lists them all).")
        for duplicate in report.duplicates if verbosity >= 1 else ():
            if not duplicate.merged_issues:
                write(
                    f"  row {duplicate.number} repeats row {duplicate.first_number} exactly "
                    f"({duplicate.state_under_review}): stored once."
                )
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        for label, names in (
            ("New state actors", report.new_actors),
            ("New themes", report.new_themes),
            ("New issues", report.new_issues),
        ):
            if names and verbosity >= 1:
                write(textwrap.fill(f"{label} ({len(names)}): {', '.join(names)}.", width=100, subsequent_indent="  "))
        if report.names_without_country:
            self.stderr.write(self.style.WARNING(unresolved_summary(report)))
        if report.unmapped_issues:
            self.stderr.write(self.style.WARNING(unmapped_summary(report)))
        counts = summary(report)
        if report.dry_run:
            write(self.style.WARNING(f"Dry run: nothing was written. Would have: {counts}."))
        elif report.changed:
            write(self.style.SUCCESS(f"Imported: {counts}."))
        else:
            write(f"Nothing to change: {counts}.")

    @staticmethod
    def _table(report: ImportReport) -> str:
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
