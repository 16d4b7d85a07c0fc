"""Time the import of 10,000 rows in each format and shape it reads, and an unchanged re-import.

    python bench/import_formats.py [ROWS]                     # SQLite (a temporary file)
    DATABASE_URL=postgres://… python bench/import_formats.py  # PostgreSQL (creates test_<name>)

The rows are generated (invented texts, real state names and sessions); each file is imported
into an empty database (the seed data loaded), then imported again unchanged. Writing the .xls
needs xlwt (requirements-dev.txt). The database is destroyed at the end. Figures: docs/upr-import.md.
"""

import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.test")

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


def main(count):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from recommendations.importers import import_file
    from recommendations.models import Citation, Recommendation, SourceDocument

    table = [HEADER, *rows(count)]
    files = {
        "CSV, UTF-8, comma": as_text(table, ",", "utf-8"),
        "CSV, cp1252, semicolon": as_text([[c.lower() for c in table[0]], *table[1:]], ";", "cp1252"),
        "UTF-16 text, tab": as_text(table, "\t", "utf-16"),
        "XLS": as_xls(table),
        "XLSX": as_xlsx(table),
    }
    if connection.vendor == "sqlite":
        directory = tempfile.TemporaryDirectory()
        connection.settings_dict["TEST"]["NAME"] = str(Path(directory.name) / "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_seeds", stdout=open(os.devnull, "w"))
        print(f"database: {connection.vendor}; {count} rows per file")
        print(f"{'file':<26}{'import':>10}{'again':>10}   result")
        for label, content in files.items():
            started = time.perf_counter()
            first = import_file(content=content, file_name=label)
            middle = time.perf_counter()
            again = import_file(content=content, file_name=label)
            ended = time.perf_counter()
            print(
                f"{label:<26}{middle - started:>9.2f}s{ended - middle:>9.2f}s   {first.totals.created} created, "
                f"{first.totals.duplicates} merged/duplicates; again: {again.totals.unchanged} unchanged, "
                f"{again.totals.updated} updated"
            )
            # An empty database for the next format (the documents stay: they are protected).
            Citation.objects.all().delete()
            Recommendation.objects.filter(external_id__startswith="upr:").delete()
            SourceDocument.objects.filter(document_type="dataset").delete()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
