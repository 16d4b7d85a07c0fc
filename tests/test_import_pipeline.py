"""The shared import pipeline: plan (the preview and dry run) then apply, through the services'
bulk helpers with the same compare-and-set on versions and the same publish rule as any write."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from recommendations import bulk, services
from recommendations.importers import FORMATS, ImportRefused, import_file, plan_import
from recommendations.models import Recommendation, SourceDocument

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "upr-sample-macroman.csv").read_bytes()
UPDATED = SAMPLE.replace(b"Noted,5", b"Accepted,5")  # row 3's response changes


def imported(text_part):
    return Recommendation.objects.get(text__contains=text_part)


class TestPlanThenApply:
    def test_a_row_edited_between_plan_and_apply_refuses_the_import_and_keeps_the_edit(self, make_staff):
        import_file(content=SAMPLE)
        plan = plan_import(content=UPDATED.replace(b"Chaco", b"Chaco region"))  # one update, one new row
        assert plan.report.totals.updated == 1 and plan.report.totals.created == 1
        # A curator edits the row the import is about to update, after the plan read it.
        row = imported("peaceful assemblies")
        services.recommendation_change(
            recommendation=row, expected_version=row.version, user=make_staff("Editor"), context="Edited by hand"
        )
        with pytest.raises(ImportRefused, match=r"^Row 3: .*changed by someone else after this import was planned"):
            plan.apply()
        row = imported("peaceful assemblies")
        assert (row.context, row.state_response, row.version) == ("Edited by hand", "noted", 2)
        assert not Recommendation.objects.filter(text__endswith="Chaco region").exists()  # nothing was written
        assert SourceDocument.objects.count() == 1  # the first import's file only

    def test_planning_again_after_the_edit_imports_over_the_current_version(self):
        import_file(content=SAMPLE)
        plan = plan_import(content=UPDATED)
        row = imported("peaceful assemblies")
        services.recommendation_change(recommendation=row, expected_version=row.version, context="Edited by hand")
        with pytest.raises(ImportRefused):
            plan.apply()
        report = import_file(content=UPDATED)  # the re-plan starts from the edited row
        assert report.totals.updated == 1
        row = imported("peaceful assemblies")
        assert (row.context, row.state_response, row.version) == ("Edited by hand", "supported", 3)

    def test_every_update_claims_the_version_it_read(self):
        import_file(content=SAMPLE)
        versions = dict(Recommendation.objects.values_list("pk", "version"))
        import_file(content=UPDATED)
        after = dict(Recommendation.objects.values_list("pk", "version"))
        changed = imported("peaceful assemblies").pk
        assert after[changed] == versions[changed] + 1
        assert all(after[pk] == version for pk, version in versions.items() if pk != changed)

    def test_the_bulk_change_refuses_a_stale_version(self):
        import_file(content=SAMPLE)
        row = imported("peaceful assemblies")
        row.context = "Mine"
        change = bulk.BulkChange(recommendation=row, expected_version=row.version - 1, fields=["context"])
        with pytest.raises(services.ConcurrentEditError):
            bulk.recommendations_bulk_change(changes=[change])
        assert imported("peaceful assemblies").context != "Mine"

    def test_a_dry_run_is_the_plan_without_apply(self):
        report = import_file(content=SAMPLE, dry_run=True)
        assert report.dry_run and report.totals.created == 5
        assert not Recommendation.objects.exists() and not SourceDocument.objects.exists()

    def test_the_publish_rule_is_checked_before_reading_the_file(self, make_staff):
        with pytest.raises(PermissionDenied, match="Only a reviewer"):
            plan_import(content=b"not even a table", user=make_staff("Editor"), publish=True)

    def test_the_command_line_publishes_as_itself(self):
        import_file(content=SAMPLE, publish=True, file_name="sample.csv")
        row = imported("peaceful assemblies")
        assert row.is_published and not row.self_reviewed and row.published_by is None
        [citation] = row.citations.all()
        assert citation.confirmed_by_process == "import of sample.csv"


def test_the_format_registry_lists_the_upr_info_format():
    assert "upr-info" in FORMATS
    assert FORMATS["upr-info"].layouts[1].startswith("SuR, Rgrp, Org, Recommendation, RS")
