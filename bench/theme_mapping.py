"""Time the theme mapping on the real exports, on a throwaway database.

    python bench/theme_mapping.py [FILE ...]                    # SQLite (a temporary file)
    DATABASE_URL=postgres://… python bench/theme_mapping.py     # PostgreSQL (creates test_<name>)

Without FILE it reads the two exports in ../shared/datasets. It migrates a fresh database, loads
the seeds, imports the files (every issue mapped onto curated themes), then times applying a
changed mapping of the largest issue (``themes_remap``: its rows lose the old theme and gain the
new one, with history) and applying it again (nothing to change), and prints the figures and the
theme counts the API's ``theme=`` filter sees.
"""

import sys
import time
from pathlib import Path

from databases import ROOT, throwaway_database


def main(paths):
    with throwaway_database() as connection:
        from django.db.models import Count

        from recommendations import services, theme_mapping
        from recommendations.importers import import_file
        from recommendations.models import Recommendation, SourceTheme, Theme

        print(f"database: {connection.vendor}")
        for path in paths:
            started = time.perf_counter()
            report = import_file(content=path.read_bytes(), file_name=path.name)
            print(
                f"import {path.name}: {time.perf_counter() - started:.2f} s, {report.totals.created} created, "
                f"{len(report.new_issues)} new issues, unmapped: {report.unmapped_issues or 'none'}"
            )
        assembly = Recommendation.objects.filter(themes__slug="freedom-of-assembly")
        print(
            f"theme=freedom-of-assembly: {assembly.count()} rows "
            f"({assembly.filter(external_id__startswith='seed:').count()} curated seed rows)"
        )
        largest = SourceTheme.objects.annotate(rows=Count("recommendations")).order_by("-rows").first()
        new = services.theme_create(slug="bench-theme", name="Bench theme")
        theme_mapping.source_theme_change(source_theme=largest, themes=[new])
        for label in ("apply the changed mapping", "apply again (nothing to change)"):
            started = time.perf_counter()
            result = theme_mapping.themes_remap(source_themes=SourceTheme.objects.filter(pk=largest.pk))
            print(f"{label} of “{largest.name}” ({largest.rows} rows): {time.perf_counter() - started:.2f} s; {result}")
        started = time.perf_counter()
        result = theme_mapping.themes_remap()
        print(f"apply every mapping ({SourceTheme.objects.count()}): {time.perf_counter() - started:.2f} s; {result}")
        print(f"themes: {Theme.objects.count()}; source themes: {SourceTheme.objects.count()}")


if __name__ == "__main__":
    shared = ROOT.parent / "shared" / "datasets"
    files = [Path(arg) for arg in sys.argv[1:]] or sorted(shared.glob("upr-info-*.csv"))
    if not files:
        sys.exit(f"No files given and none found in {shared}.")
    main(files)
