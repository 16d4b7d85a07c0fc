"""The admin's base classes: django-unfold's (the theme), with the change history
(django-simple-history) where a model keeps one. Every admin in this package builds on these."""

from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline

from .history import WordDiffHistoryMixin

__all__ = ["HistoryAdmin", "ModelAdmin", "StackedInline", "TabularInline"]


class HistoryAdmin(WordDiffHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    """An unfold admin with the History page (who changed what, when, long texts as a word diff; revert)."""


def _column_headers_once():
    """unfold (0.91) recomputes a list's column headers for every row, to label the cells of the
    phone layout's cards (``items_for_result`` calls ``result_headers(cl)``): a sixth of the time
    of a 50-row list. The headers depend on the changelist only, so compute them once per list."""
    from unfold.templatetags import unfold_list

    compute = unfold_list.result_headers
    if getattr(compute, "once_per_changelist", False):
        return

    def result_headers(cl):
        if not hasattr(cl, "_column_headers"):
            cl._column_headers = list(compute(cl))
        return iter(cl._column_headers)

    result_headers.once_per_changelist = True
    unfold_list.result_headers = result_headers


_column_headers_once()
