"""Importing recommendations from the files NGOs hold: one pipeline (``pipeline``), one module
per format (``upr_info``, ``ohchr_docx``) registered in ``formats.FORMATS``. The ``import_recommendations``
command and the admin's import page both call ``import_file`` / ``plan_import``."""

from . import ohchr_docx, upr_info  # noqa: F401  (registers the formats)
from .errors import ImportRefused
from .formats import FORMATS, Format, register
from .pipeline import Plan, import_file, plan_import
from .report import ImportReport, summary, unresolved_summary
from .rows import ImportRow, short_title

__all__ = [
    "FORMATS",
    "Format",
    "ImportRefused",
    "ImportReport",
    "ImportRow",
    "Plan",
    "import_file",
    "plan_import",
    "register",
    "short_title",
    "summary",
    "unresolved_summary",
]
