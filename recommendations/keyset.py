"""Keyset ("seek") paging: the next page is the rows that sort after the last row seen, found
through the index that serves the order, so page 10,000 costs what page 1 does and a link to the
next page keeps pointing at the same place while rows are added before it.

The order of a list is a few keys ending with the id (``BaseFilterSet`` makes every order total).
A nullable key sorts as its type's smallest value (``Coalesce``): NULL first in ascending order and
last in descending order, on PostgreSQL and SQLite alike; the indexes in ``Recommendation.Meta``
are on the same expressions, so the database walks them.
"""

import datetime
import math
import sys

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

# The smallest value of each type a nullable sort key takes for NULL.
SMALLEST = {
    models.DateTimeField: datetime.datetime(1, 1, 2, tzinfo=datetime.UTC),  # checked before its parent, DateField
    models.DateField: datetime.date.min,
    models.IntegerField: -sys.maxsize - 1,  # the smallest 64-bit integer (models.MAX_ID is the largest)
    models.FloatField: -1e30,  # a search's rank (0 or more), as a 4-byte float on PostgreSQL
    models.CharField: "",
    models.TextField: "",
}


def smallest(field):
    for kind, value in SMALLEST.items():
        if isinstance(field, kind):
            return value
    raise TypeError(f"No keyset order for a {type(field).__name__}.")


def sort_key(name, output_field, nullable):
    """The expression a key sorts by: the column itself, or, if it may be NULL, COALESCE(column, smallest)."""
    if not nullable:
        return F(name)
    return Coalesce(F(name), Value(smallest(output_field), output_field=output_field), output_field=output_field)


def made_on_key():
    """The default order's first key, as ``Recommendation.Meta.indexes`` indexes it."""
    return sort_key("made_on", models.DateField(), True)


class NeverNull(models.ExpressionWrapper):
    """An annotation that is never NULL (a column of an inner join), used as a sort key: ordered by
    as it is, without the COALESCE a nullable key gets, so that an index on the column serves it."""


class RowId(NeverNull):
    """The row's id read through a join (the joined row's copy of it), ending an order as the id
    does: with the keys before it, the whole cursor is a range of the joined table's index."""


class Key:
    """One key of an order: its name (field or annotation), direction, field and sort expression."""

    def __init__(self, queryset, spec):
        text = str(spec)
        self.descending = text.startswith("-")
        self.name = text.lstrip("-")
        if self.name == "pk":
            self.name = queryset.model._meta.pk.name
        annotation = queryset.query.annotations.get(self.name)
        if annotation is not None:
            self.field, nullable = annotation.output_field, not isinstance(annotation, NeverNull)
        else:
            self.field = queryset.model._meta.get_field(self.name)
            nullable = self.field.null
        self.expression = sort_key(self.name, self.field, nullable)
        self.nullable = nullable
        self.is_id = self.name == queryset.model._meta.pk.name or isinstance(annotation, RowId)

    def value_of(self, row):
        value = getattr(row, self.name)
        return smallest(self.field) if value is None and self.nullable else value

    def encode(self, value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        return self.field.get_prep_value(value)  # e.g. a Country's code

    def decode(self, raw):
        """The value from a cursor; ValueError if it is not one of this key's type."""
        if isinstance(self.field, models.DateTimeField):
            return datetime.datetime.fromisoformat(raw)
        if isinstance(self.field, models.DateField):
            return datetime.date.fromisoformat(raw)
        if isinstance(self.field, models.IntegerField | models.AutoField):
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise ValueError(raw)
            return raw
        if isinstance(self.field, models.FloatField):
            if not isinstance(raw, int | float) or isinstance(raw, bool) or not math.isfinite(raw):
                raise ValueError(raw)
            return float(raw)
        if not isinstance(raw, str):
            raise ValueError(raw)
        return raw


class RowCompare(models.Expression):
    """``(a, b, c) < (x, y, z)``: a row-value comparison, which PostgreSQL answers with one index
    range scan (SQLite has row values since 3.15)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, left, operator, right):
        super().__init__()
        self.left, self.operator, self.right = list(left), operator, list(right)

    def get_source_expressions(self):
        return [*self.left, *self.right]

    def set_source_expressions(self, expressions):
        self.left, self.right = expressions[: len(self.left)], expressions[len(self.left) :]

    def as_sql(self, compiler, connection):
        sides, params = [], []
        for side in (self.left, self.right):
            parts = []
            for expression in side:
                sql, part_params = compiler.compile(expression)
                parts.append(sql)
                params.extend(part_params)
            sides.append(f"({', '.join(parts)})")
        return f"{sides[0]} {self.operator} {sides[1]}", params


def order_keys(queryset):
    """The keys of ``queryset``'s order (the model's default if none), always ending with the id."""
    specs = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    keys = [Key(queryset, spec) for spec in specs]
    if not any(key.is_id for key in keys):
        descending = bool(keys) and keys[0].descending
        keys.append(Key(queryset, f"{'-' if descending else ''}{queryset.model._meta.pk.name}"))
    return keys


def ordered(queryset, keys, *, reverse=False):
    """``queryset`` in the order of ``keys`` (reversed for a page before a cursor)."""
    return queryset.order_by(
        *(key.expression.asc() if key.descending == reverse else key.expression.desc() for key in keys)
    )


def after(queryset, keys, values, *, reverse=False):
    """The rows that come after ``values`` (before them, with ``reverse``) in the order of ``keys``."""
    values = [Value(value, output_field=key.field) for key, value in zip(keys, values, strict=True)]
    directions = {key.descending != reverse for key in keys}
    if len(directions) == 1:
        # Every key the same way: one row comparison, an index range on PostgreSQL.
        operator = "<" if directions.pop() else ">"
        return queryset.filter(RowCompare([key.expression for key in keys], operator, values))
    # Mixed directions (e.g. ordering=title,-due_on): the same condition, spelt out key by key.
    condition = models.Q(pk__in=[])
    for position, key in enumerate(keys):
        step = models.Q()
        for earlier, value in zip(keys[:position], values[:position], strict=True):
            step &= models.Q(RowCompare([earlier.expression], "=", [value]))
        operator = "<" if key.descending != reverse else ">"
        condition |= step & models.Q(RowCompare([key.expression], operator, [values[position]]))
    return queryset.filter(condition)
