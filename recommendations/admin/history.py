"""The History pages (django-simple-history): long texts changed are shown as a word diff, and
a page of history costs a fixed number of queries however many versions it lists."""

import difflib
import itertools
import re

from django.db import models
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from simple_history.models import DeletedObject, ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

# A word with the spaces after it, or a punctuation mark with its spaces, or leading spaces:
# keeping the spaces on the token keeps the tokens varied (a bare " " would match everywhere).
TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
WORD = re.compile(r"\w")
# Unchanged tokens shown on each side of a change; longer unchanged runs are collapsed.
CONTEXT_TOKENS = 12
# Up to this many characters, simple-history's "old → new" is shown whole (its own limit).
WHOLE_VALUE_LENGTH = HistoricalRecordContextHelper.DEFAULT_MAX_DISPLAYED_DELTA_CHANGE_CHARS


def _words(tokens):
    return sum(1 for token in tokens if WORD.match(token))


def _gap(tokens):
    count = _words(tokens)
    return format_html(
        '<span class="tracker-diff-gap">[… {} unchanged word{} …]</span> ', count, "" if count == 1 else "s"
    )


def word_diff(old, new, context=CONTEXT_TOKENS):
    """HTML of the changes from ``old`` to ``new``, word by word: removed words in <del>, added ones
    in <ins>, unchanged runs cut to ``context`` tokens on each side of a change. Escaped."""
    old_tokens, new_tokens = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    # autojunk would treat common words as noise in texts over 200 tokens and misalign the diff.
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    opcodes = matcher.get_opcodes()
    parts = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            run = old_tokens[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            keep_before = 0 if first else context  # after the previous change
            keep_after = 0 if last else context  # before the next change
            if len(opcodes) == 1:  # nothing changed
                keep_before = len(run)
            if len(run) > keep_before + keep_after + context:
                parts.append(escape("".join(run[:keep_before])))
                parts.append(_gap(run[keep_before : len(run) - keep_after]))
                parts.append(escape("".join(run[len(run) - keep_after :])))
            else:
                parts.append(escape("".join(run)))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(old_tokens[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(new_tokens[j1:j2])))
    return mark_safe("".join(str(part) for part in parts))  # every piece above is escaped


def is_prose(field, old, new):
    """A text the curator writes (not a code or a choice): a TextField, or a longer CharField value."""
    if not isinstance(old or "", str) or not isinstance(new or "", str) or getattr(field, "choices", None):
        return False
    if isinstance(field, models.TextField):
        return True
    return isinstance(field, models.CharField) and max(len(old or ""), len(new or "")) > WHOLE_VALUE_LENGTH


class WordDiffContextHelper(HistoricalRecordContextHelper):
    """simple-history's change list for one version, with a word diff (``diff``) for prose fields
    instead of both values cut to 100 characters ("The P[53 chars]mises … [6113 chars]")."""

    def context_for_delta_changes(self, delta):
        rows = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            if is_prose(field, change.old, change.new):
                rows.append({"field": capfirst(field.verbose_name), "diff": word_diff(change.old, change.new)})
            else:
                formatted = self.format_delta_change(change)
                rows.append({"field": formatted.field, "old": formatted.old, "new": formatted.new})
        return rows


def many_to_many_by_record(records):
    """{(field name, history id): [related object, …]} for the records' tracked many-to-many
    fields, one query per field (simple-history's diff asks twice per field and record)."""
    ids = [record.pk for record in records]
    related = {}
    for field in records[0]._history_m2m_fields:
        through = getattr(records[0], field.name).model
        target = get_m2m_reverse_field_name(field)
        target_id = through._meta.get_field(target).attname
        for row in through.objects.filter(history__in=ids).select_related(target).order_by(target_id):
            value = getattr(row, target) or DeletedObject(field.related_model, getattr(row, target_id))
            related.setdefault((field.name, row.history_id), []).append(value)
    return related


class WordDiffHistoryMixin:
    """For a ``SimpleHistoryAdmin``: the word diffs, and the changes of a page of versions computed
    from one query per many-to-many field."""

    object_history_list_template = "admin/recommendations/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return WordDiffContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        if len(records) < 2:
            return
        m2m_fields = [field.name for field in records[0]._history_m2m_fields]
        plain_fields = [f.name for f in records[0].tracked_fields if f.editable and f.name not in m2m_fields]
        related = many_to_many_by_record(records) if m2m_fields else {}
        for newer, older in itertools.pairwise(records):
            # Foreign keys come from the history queryset's select_related (no query here).
            delta = newer.diff_against(older, included_fields=plain_fields, foreign_keys_are_objs=foreign_keys_are_objs)
            changes = list(delta.changes)
            for name in m2m_fields:
                target = get_m2m_reverse_field_name(self.model._meta.get_field(name))
                before, after = related.get((name, older.pk), []), related.get((name, newer.pk), [])
                if [item.pk for item in before] != [item.pk for item in after]:
                    changes.append(ModelChange(name, [{target: i} for i in before], [{target: i} for i in after]))
            changes.sort(key=lambda change: change.field)
            delta = ModelDelta(changes, [c.field for c in changes], older, newer)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(delta)
