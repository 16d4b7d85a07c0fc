"""The tracker's data: source documents, the actors and recommendations they record, and the
dated, cited history of how each recommendation is being implemented.

Rules that involve more than one row (recording a status update, keeping a recommendation's
current status in step with its history) live in ``services.py``; these modules hold the
fields, the database constraints and the single-row checks in ``clean()``:

- ``common``: the date vocabularies and checks, implementation status, review state, write limits,
  and the abstract bases;
- ``documents``: source documents and the guard on a cited text;
- ``taxonomy``: actors, themes and source themes, SDGs, affected groups, legal provisions;
- ``recommendations``: recommendations, their links, clusters;
- ``status_updates``: status updates, citations, internal notes.

Everything is imported here, so ``from recommendations.models import X`` is the one import path.
"""

from .common import (
    LANGUAGE_CODE,
    MAX_CITATIONS_PER_STATUS_UPDATE,
    MAX_ID,
    MAX_NOTE_LENGTH,
    MAX_QUOTE_LENGTH,
    MAX_RECOMMENDATION_TEXT_LENGTH,
    MAX_SUMMARY_LENGTH,
    DateBasis,
    DatePrecision,
    ImplementationStatus,
    ReviewedModel,
    ReviewState,
    TimestampedModel,
    check_date_basis,
    check_period_start,
    format_partial_date,
    normalize_whitespace,
    period_end,
    period_start,
    text_sha256,
)
from .documents import CitedTextError, SourceDocument, guard_cited_text, guard_fixture_document
from .recommendations import Cluster, Recommendation, RecommendationLink
from .status_updates import Citation, InternalNote, StatusUpdate
from .taxonomy import Actor, AffectedGroup, LegalProvision, SourceTheme, SustainableDevelopmentGoal, Theme

__all__ = [
    "LANGUAGE_CODE",
    "MAX_CITATIONS_PER_STATUS_UPDATE",
    "MAX_ID",
    "MAX_NOTE_LENGTH",
    "MAX_QUOTE_LENGTH",
    "MAX_RECOMMENDATION_TEXT_LENGTH",
    "MAX_SUMMARY_LENGTH",
    "Actor",
    "AffectedGroup",
    "Citation",
    "CitedTextError",
    "Cluster",
    "DateBasis",
    "DatePrecision",
    "ImplementationStatus",
    "InternalNote",
    "Job",
    "LegalProvision",
    "Recommendation",
    "RecommendationLink",
    "ReviewState",
    "ReviewedModel",
    "SourceDocument",
    "SourceTheme",
    "StatusUpdate",
    "SustainableDevelopmentGoal",
    "Theme",
    "TimestampedModel",
    "check_date_basis",
    "check_period_start",
    "format_partial_date",
    "guard_cited_text",
    "guard_fixture_document",
    "normalize_whitespace",
    "period_end",
    "period_start",
    "text_sha256",
]

# Models kept in modules of their own elsewhere in the app: imported here, one line each, at the end
# (``from ..x.models import Y``, with its name added to __all__), so that they belong to the app and
# ``from recommendations.models import Y`` works.

# The background jobs' record lives next to the jobs (recommendations/jobs/).
from ..jobs.models import Job
