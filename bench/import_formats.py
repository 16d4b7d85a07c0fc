"""Time the import of 10,000 rows in each format and shape it reads, and an unchanged re-import.

    python bench/import_formats.py [ROWS] [--only TEXT] [--profile DIR]   # SQLite (a temporary file)
    DATABASE_URL=postgres://… python bench/import_formats.py             # PostgreSQL (test_<name>)

The rows are generated (invented texts, real state names and sessions); each file is imported
into an empty database (the seed data loaded), then imported again unchanged. ``--only`` keeps the
files whose label contains TEXT (repeatable). Times are wall-clock (what the target is about) and
the process's CPU time (what the import costs, whatever else the machine runs). ``--profile DIR``
writes a pyinstrument profile of each import there (pip install pyinstrument). Writing the .xls
needs xlwt, the Word documents python-docx (requirements-dev.txt). The database is destroyed at
the end. Figures: docs/upr-import.md.
"""

import argparse
import csv
import datetime
import io
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from databases import throwaway_database

GENERATOR_VERSION = 1  # raise when the generated files change (they are cached, see ``cached``)
RENAMED_HEADER = ["To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org", "Response", "Action", "Issue",
                  "Session"]  # fmt: skip
HEADER = ["SuR", "Rgrp", "Org", "Recommendation", "RS", "Rgrp", "Org", "Response", "Action", "Issue", "Session"]
STATES = [
    "Kazakhstan",
    "St Lucia",
    "Republic of Moldova",
    "Côte d'Ivoire",
    "Norway",
    "Brazil",
    "India",
    "Ghana",
    "United Republic of Tanzania",
    "Sao Tome & Principe",
    "Fiji",
    "Chile",
    "Viet Nam",
    "France",
    "Egypt",
]
VERBS = ["Ratify", "Adopt", "Strengthen", "Ensure", "Guarantee", "Establish", "Review", "Protect", "Amend", "Abolish"]
OBJECTS = [
    "the optional protocol",
    "a national action plan",
    "the independence of judges",
    "freedom of assembly",
    "the rights of migrants",
    "access to education",
    "measures against torture",
    "the death penalty",
]
ISSUES = ["Women's rights", "Justice", "Torture", "Migrants", "Trafficking", "Freedom of expression", "Education"]
RESPONSES = ["Supported", "Noted", "Supported", "Voluntary Pledge"]
THEMES = [
    "Torture and other cruel, inhuman or degrading treatment",
    "Economic, social & cultural rights - general measures of implementation",
    "Freedom of opinion and expression",
    "Women's rights",
    "Right to education",
]
GROUPS = ["Women & girls", "Children", "Human rights defenders", "Journalists", "Persons with disabilities"]
SDGS = ["4 - QUALITY EDUCATION", "5 - GENDER EQUALITY", "16 - PEACE, JUSTICE AND STRONG INSTITUTIONS"]
POSITIONS = ["Supported", "Noted", "Noted, as the law is under review", "Supported"]
ASSESSMENTS = ["Partially implemented: a law was adopted; courts have not applied it.", "Not implemented.", "", "", ""]


def rows(count):
    generator = random.Random(12)
    for number in range(count):
        state = generator.choice(STATES)
        response = generator.choice(RESPONSES)
        sender = state if response == "Voluntary Pledge" else generator.choice(STATES)
        text = f"{generator.choice(VERBS)} {generator.choice(OBJECTS)} (item {number}) in the whole territory"
        issues = ", ".join(generator.sample(ISSUES, generator.randint(1, 3)))
        yield [state, "", "", text, sender, "", "", response, str(generator.randint(1, 5)), issues,
               str(generator.randint(1, 50))]  # fmt: skip


def thematic_rows(count, earlier):
    """Rows of an OHCHR thematic list (tests/docx_samples.py's layouts): a "Theme:" heading every 50
    rows, one to three recommending states, themes, groups of persons, SDGs (and in the earlier
    layout an assessment in two rows of five)."""
    generator = random.Random(13)
    for number in range(count):
        if number % 50 == 0:
            yield (f"Theme: A{number // 50} {generator.choice(THEMES)}",)
        makers = " ".join(f"({state})" for state in generator.sample(STATES[4:], generator.randint(1, 3)))
        text = f"{generator.choice(VERBS)} {generator.choice(OBJECTS)} (item {number}) in the whole territory"
        source = "A/HRC/28/7/Add.1" if earlier else "A/HRC/59/15/Add.1 - Para.3"
        recommendation = (
            f"140.{number + 1} {text} {makers};\nSource of {'position' if earlier else 'Position'}: {source}"
        )
        themes = "\n".join(f"- {theme}" for theme in generator.sample(THEMES, generator.randint(1, 2)))
        groups = generator.sample(GROUPS, generator.randint(0, 2))
        goals = generator.sample(SDGS, generator.randint(0, 2))
        if earlier:
            subjects = themes + (f"\nAffected persons: {', '.join(groups)}" if groups else "")
            subjects += f"\nSDGs: {', '.join(goal.split(' ')[0] for goal in goals)}" if goals else ""
            yield (recommendation, generator.choice(POSITIONS), subjects, generator.choice(ASSESSMENTS))
        else:
            subjects = themes + (
                "\nGroups of Persons:\n" + "\n".join(f"- {group}" for group in groups) if groups else ""
            )
            yield (recommendation, generator.choice(POSITIONS), subjects, "\n".join(f"- {goal}" for goal in goals))


def as_docx(count, earlier):
    from tests import docx_samples

    if earlier:
        return docx_samples.thematic_list(
            heading="UPR of Slovenia (2nd Cycle – 20th session)",
            columns=docx_samples.EARLIER_COLUMNS,
            rows=list(thematic_rows(count, earlier=True)),
        )
    return docx_samples.thematic_list(rows=list(thematic_rows(count, earlier=False)))


def as_text(table, delimiter, encoding):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode(encoding, errors="replace")


def as_xls(table):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Recommendations")
    for row_index, row in enumerate(table):
        for column, value in enumerate(row):
            sheet.write(row_index, column, int(value) if value.isdecimal() else value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_xlsx(table):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in table:
        sheet.append([int(value) if value.isdecimal() else value for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cached(label, count, make) -> bytes:
    """The generated file, kept in the temp folder: python-docx takes minutes to write 10,000 rows."""
    name = "".join(char if char.isalnum() else "-" for char in label)
    path = Path(tempfile.gettempdir(), f"import-bench-{GENERATOR_VERSION}-{count}-{name}.bin")
    if not path.exists():
        path.write_bytes(make())
    return path.read_bytes()


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(count, only=(), profile_dir=None):
    import django

    django.setup()
    from django.db import connection

    from recommendations.importers import import_file
    from recommendations.models import Actor, Citation, Recommendation, SourceDocument, StatusUpdate

    table = [HEADER, *rows(count)]
    makers = {
        "CSV, UTF-8, comma": lambda: as_text(table, ",", "utf-8"),
        "CSV, To/From headers": lambda: as_text([RENAMED_HEADER, *table[1:]], ",", "utf-8"),
        "CSV, cp1252, semicolon": lambda: as_text([[c.lower() for c in table[0]], *table[1:]], ";", "cp1252"),
        "UTF-16 text, tab": lambda: as_text(table, "\t", "utf-16"),
        "XLS": lambda: as_xls(table),
        "XLSX": lambda: as_xlsx(table),
        "DOCX, current layout": lambda: as_docx(count, earlier=False),
        "DOCX, earlier layout": lambda: as_docx(count, earlier=True),
    }
    files = {
        label: cached(label, count, make)
        for label, make in makers.items()
        if not only or any(text in label for text in only)
    }
    if profile_dir:
        from pyinstrument import Profiler

        Path(profile_dir).mkdir(parents=True, exist_ok=True)
    with throwaway_database():
        seeded = None
        if connection.vendor == "sqlite":
            connection.close()
            seeded = Path(connection.settings_dict["NAME"]).parent / "seeded.sqlite3"
            shutil.copy(connection.settings_dict["NAME"], seeded)
        assessor = Actor.objects.filter(kind=Actor.Kind.NGO).order_by("slug").first()
        print(f"database: {connection.vendor}; {count} rows per file; load: {load()}")
        print(f"{'file':<24}{'rows':>7}{'import':>9}{'rows/s':>8}{'cpu':>8}{'again':>9}{'cpu':>8}   result")

        def run(label, content, step):
            profiler = Profiler() if profile_dir else None
            if profiler:
                profiler.start()
            started, cpu = time.perf_counter(), time.process_time()
            report = import_file(
                content=content,
                file_name=f"{label}.bin",
                assessed_by=assessor.slug,
                assessed_on=datetime.date(2025, 3, 1),
            )
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if profiler:
                profiler.stop()
                name = "".join(c if c.isalnum() else "-" for c in label) + f"-{step}"
                Path(profile_dir, f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
                Path(profile_dir, f"{name}.html").write_text(profiler.output_html())
            return report, elapsed, cpu

        for label, content in files.items():
            first, took, cpu = run(label, content, "import")
            again, took_again, cpu_again = run(label, content, "again")
            print(
                f"{label:<24}{first.rows:>7}{took:>8.2f}s{first.rows / took:>8.0f}{cpu:>7.2f}s"
                f"{took_again:>8.2f}s{cpu_again:>7.2f}s   "
                f"{first.totals.created} created, {first.totals.duplicates} merged/duplicates, "
                f"{first.assessments} assessments; again: {again.totals.unchanged} unchanged, "
                f"{again.totals.updated} updated"
            )
            # The seeded database again for the next format: on SQLite a copy of the file (deleting
            # 10,000 rows through the ORM writes a history row each, one by one, for minutes).
            if seeded:
                connection.close()
                shutil.copy(seeded, connection.settings_dict["NAME"])
                continue
            StatusUpdate.objects.filter(assessed_by=assessor, as_of=datetime.date(2025, 3, 1)).delete()
            Citation.objects.all().delete()
            Recommendation.objects.filter(external_id__regex=r"^(upr|ohchr):").delete()
            SourceDocument.objects.filter(document_type="dataset").delete()
        print(f"load: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=10_000)
    parser.add_argument("--only", action="append", default=[], help="files whose label contains this text")
    parser.add_argument("--profile", metavar="DIR", help="write a pyinstrument profile of each import here")
    arguments = parser.parse_args()
    main(arguments.rows, arguments.only, arguments.profile)
