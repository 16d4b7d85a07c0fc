"""CSV output (``?format=csv``) for lists and counts, so a spreadsheet or BI tool can read the
API directly.

Built on djangorestframework-csv's renderer (flattening nested objects into ``made_by.slug``
columns, quoting, encoding). What it adds: rows are a paginated list's ``results`` (or the rows
a view chooses, for counts); the columns come from the view (its serializer), so they are the
same on every page and present even when there are no rows; a list inside a row (themes,
citations) becomes one cell with its values joined by " | " instead of a column per item; and a
text cell that a spreadsheet would run as a formula is neutralised.
"""

import re

from rest_framework_csv import renderers

LIST_SEPARATOR = " | "
# What makes a spreadsheet read a cell as a formula (CSV injection, OWASP), with the full-width
# forms (＝ ＋ － ＠) that spreadsheets in East Asian locales also accept.
FORMULA_PREFIXES = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
# Where a spreadsheet may start a new cell: the separators a user may pick when opening a CSV
# (comma, semicolon, tab, pipe), line breaks, and their full-width forms.
SEPARATORS = ",;\t|\r\n\uff0c\uff1b\uff5c"
_FORMULA = re.compile(f"(^|[{re.escape(SEPARATORS)}])([ ]*)(?=[{re.escape(FORMULA_PREFIXES)}])")


def neutralise_formula(value):
    """A text cell gets an apostrophe, which spreadsheets show as text, before anything that
    starts like a formula: at its start, and after any separator, since a spreadsheet opening
    the file with another separator than the comma (";" in many locales) splits ``x;=1+1`` into
    ``x`` and a formula. Anyone can write a recommendation's title, but opening an export must
    not run it."""
    if isinstance(value, str):
        return _FORMULA.sub(r"\1\2'", value)
    return value


def serializer_columns(serializer, prefix=""):
    """The CSV columns of a serializer's output: nested objects give ``parent.child`` columns,
    a list of objects gives one column per field of the objects."""
    from rest_framework import serializers

    columns = []
    for name, field in serializer.fields.items():
        column = f"{prefix}{name}"
        child = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(child, serializers.BaseSerializer):
            columns.extend(serializer_columns(child, f"{column}."))
        else:
            columns.append(column)
    return columns


class CSVRenderer(renderers.CSVRenderer):
    """Renders the rows of a response as CSV, one row per result."""

    def render(self, data, media_type=None, renderer_context=None):
        renderer_context = dict(renderer_context or {})
        view = renderer_context.get("view")
        response = renderer_context.get("response")
        if response is not None and response.exception:
            # Errors are rendered as JSON by the view; this is only reached if that was bypassed.
            data = [{"error": str(data)}]
        elif view is not None and hasattr(view, "get_csv_rows"):
            data = view.get_csv_rows(data)
        elif isinstance(data, dict) and "results" in data:
            data = data["results"]
        if view is not None and hasattr(view, "get_csv_header") and not (response and response.exception):
            renderer_context.setdefault("header", view.get_csv_header())
        return super().render(data, media_type, renderer_context)

    def tablize(self, data, header=None, labels=None):
        rows = super().tablize(data, header=header, labels=labels)
        header_row = next(rows, None)  # our own column names, when there is anything at all
        if header_row is None:
            return
        yield header_row
        for row in rows:
            yield [neutralise_formula(value) for value in row]

    def flatten_list(self, items):
        # One cell per field for a list, values joined: stable columns whatever the list's length.
        if all(not isinstance(item, dict | list) for item in items):
            return {"": LIST_SEPARATOR.join("" if item is None else str(item) for item in items)}
        joined = {}
        for item in items:
            for key, value in self.flatten_item(item).items():
                joined.setdefault(key, []).append("" if value is None else str(value))
        return {key: LIST_SEPARATOR.join(values) for key, values in joined.items()}
