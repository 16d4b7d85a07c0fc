"""CSV output (``?format=csv``) for lists and counts, so a spreadsheet or BI tool can read the
API directly.

Built on djangorestframework-csv's renderer (flattening nested objects into ``made_by.slug``
columns, quoting, encoding). What it adds: rows are a paginated list's ``results`` (or the rows
a view chooses, for counts); the columns come from the view (its serializer), so they are the
same on every page and present even when there are no rows; a list inside a row (themes,
citations) becomes one cell with its values joined by " | " instead of a column per item; and a
text cell that a spreadsheet would run as a formula is neutralised.
"""

from rest_framework.renderers import BaseRenderer
from rest_framework_csv import renderers

# One rule for every spreadsheet the tracker writes (the admin's exports too).
from ..spreadsheets import LIST_SEPARATOR, neutralise_formula


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


class SpreadsheetRenderer(BaseRenderer):
    """The ``export`` endpoints' formats: the view writes the file (``spreadsheets``), the
    renderer only names the format for content negotiation."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVExportRenderer(SpreadsheetRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXExportRenderer(SpreadsheetRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
