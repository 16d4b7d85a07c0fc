"""Time the UPR import on the real exports, on a throwaway database.

    python bench/import_upr.py [FILE ...]                       # SQLite (a temporary file)
    DATABASE_URL=postgres://… python bench/import_upr.py        # PostgreSQL (creates test_<name>)

Without FILE it reads the two exports in ../shared/datasets. It migrates a fresh database,
loads the seed data, then times a dry run, the first import and a second (unchanged) import of
each file, and prints the figures. The database is destroyed at the end.
"""

import sys
import time
from pathlib import Path

from databases import ROOT, throwaway_database


def main(paths):
    with throwaway_database() as connection:
        from recommendations.importers import import_file
        from recommendations.models import Recommendation

        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        print(f"{'file':<32}{'rows':>7}{'dry run':>10}{'import':>10}{'again':>10}   result")
        total = 0.0
        for path in paths:
            content = path.read_bytes()
            timings = []
            for dry_run in (True, False, False):
                started = time.perf_counter()
                report = import_file(content=content, file_name=path.name, dry_run=dry_run)
                timings.append(time.perf_counter() - started)
                if len(timings) == 2:
                    first = report
            total += timings[1]
            totals = first.totals
            print(
                f"{path.name:<32}{report.rows:>7}" + "".join(f"{seconds:>9.2f}s" for seconds in timings) + f"   "
                f"{totals.created} created, {totals.duplicates} duplicates; again: {report.totals.unchanged} unchanged"
            )
        count = Recommendation.objects.filter(external_id__startswith="upr:").count()
        print(f"first import of all files: {total:.2f} s; {count} imported recommendations in the database")


if __name__ == "__main__":
    shared = ROOT.parent / "shared" / "datasets"
    files = [Path(arg) for arg in sys.argv[1:]] or sorted(shared.glob("upr-info-*.csv"))
    if not files:
        sys.exit(f"No files given and none found in {shared}.")
    main(files)
