"""The admin's base classes: django-unfold's (the theme), with the change history
(django-simple-history) where a model keeps one. Every admin in this package builds on these."""

from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline

from .history import WordDiffHistoryMixin

__all__ = ["HistoryAdmin", "ModelAdmin", "StackedInline", "TabularInline"]


class HistoryAdmin(WordDiffHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    """An unfold admin with the History page (who changed what, when, long texts as a word diff; revert)."""
