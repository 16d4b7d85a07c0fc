"""The building blocks of the FilterSets: validated fields, visible choices, the base FilterSet."""

import copy
import datetime
import functools

import django_filters
import django_filters.fields
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..models import (
    MAX_ID,
    Actor,
    ImplementationStatus,
)
from ..querysets import sees_drafts, state_under_review, visible_with

# The status filter and the counts also know recommendations that nobody has assessed yet.
NO_STATUS = "no_status"
STATUS_CHOICES = [*ImplementationStatus.choices, (NO_STATUS, "No status recorded yet")]

# The full-text search configuration on PostgreSQL. "simple" neither stems nor drops stop
# words, so it treats English, Russian and Kazakh texts alike.
SEARCH_CONFIG = "simple"


def text_search(queryset, value, fields):
    """Search ``fields`` for ``value``: PostgreSQL full-text search (every word must occur, in any
    order; "quoted phrases" and -exclusions work as in a web search) on PostgreSQL, a plain
    case-insensitive contains-search elsewhere (SQLite, for development and tests)."""
    value = value.strip()
    if not value:
        return queryset
    if connection.vendor == "postgresql":
        vector = SearchVector(*fields, config=SEARCH_CONFIG)
        query = SearchQuery(value, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.annotate(search_vector=vector).filter(search_vector=query)
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter(condition)


class LookupSearchFilter(django_filters.CharFilter):
    """``q`` for the reference lists: rows where any of ``lookups`` matches the stripped value
    (``name__icontains``, ``article__iexact``, …); a blank value filters nothing."""

    def __init__(self, *args, lookups, **kwargs):
        self.lookups = lookups
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{lookup: value})
        return queryset.filter(condition)


def visible_choices(model):
    """The rows of ``model`` a filter may match: those the requesting client may see (a callable,
    which django-filter calls with the request; without one, what an anonymous client sees)."""

    def choices(request):
        return _visible_rows(model, sees_drafts(getattr(request, "user", None))).all()

    return choices


@functools.cache
def _visible_rows(model, drafts):
    """The unevaluated queryset ``visible_to`` gives for ``model``, built once per process and
    cloned per request: its visibility subqueries never change, and building them is most of
    the cost of a related filter that was given."""
    return visible_with(model._default_manager.all(), drafts=drafts)


class ValuesInput(forms.TextInput):
    """A text box for a filter that takes one or more values (the parameter repeated). Unlike a
    select, it lists no choices: the browsable API's filter form neither shows which rows exist
    nor grows with the table."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        return getlist(name) if getlist is not None else data.get(name)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            value = ",".join(str(item) for item in value)
        return super().format_value(value)


class RelatedFilterMixin:
    """A filter over the related rows of ``model``: matches any of several, accepts only those the
    client may see (``visible_choices``), shows a text box."""

    def __init__(self, *args, model, **kwargs):
        self.related_model = model
        kwargs["queryset"] = visible_choices(model)
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", ValuesInput)
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        # Building what the client may see is a few subqueries' worth of Python for each of a
        # dozen filters on every request; only a filter that was given needs it.
        parent = getattr(self, "parent", None)
        data = getattr(parent, "data", None)
        if data is not None and not any(name in data for name, item in parent.filters.items() if item is self):
            return self.related_model._default_manager.none()
        return super().get_queryset(request)


class NoValuesMixin:
    """A filter that was not given cleans to ``[]``, not to an empty queryset: django-filter then
    skips it, where ``if not value`` on a queryset would compile a query to find it empty."""

    def clean(self, value):
        if not self.required and not value:
            return []
        return super().clean(value)


class SlugChoiceField(NoValuesMixin, django_filters.fields.ModelMultipleChoiceField):
    pass


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(RelatedFilterMixin, django_filters.ModelMultipleChoiceFilter):
    """Match any of several related objects given by slug; an unknown slug is a 400."""

    field_class = SlugChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        # Compare the related object itself (its key), not its slug, with the foreign key.
        name = self.field_name
        if self.lookup_expr != "exact":
            name = f"{name}__{self.lookup_expr}"
        return {name: v}


class FixedChoicesField(django_filters.fields.MultipleChoiceField):
    """A choice field over a fixed list (the world's countries): each request's form shares the
    list instead of deep-copying its ~250 entries, a tenth of a list request's CPU."""

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)  # Field's copy, without ChoiceField's copy of the choices


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """One or more of fixed choices, on a column of the row or of a to-one relation: such a filter
    never repeats a row, so it adds no DISTINCT (django-filter's default for this filter), which
    made the database sort every matching row, whole, before it could give a page."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class FixedChoicesFilter(ChoicesFilter):
    field_class = FixedChoicesField


class WholeNumberField(django_filters.fields.forms.IntegerField):
    """Digits only: Django's IntegerField also takes "1.0" and " 1e0"-like text the schema's
    ``integer`` does not allow."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            raise ValidationError("“%(value)s” is not a whole number.", code="invalid", params={"value": text[:20]})
        return super().to_python(text)


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberFilter(django_filters.NumberFilter):
    field_class = WholeNumberField


class StrictBooleanField(django_filters.fields.forms.Field):
    """``true``/``false`` (also 1/0, yes/no); anything else is an error, not "no filter"."""

    VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise ValidationError(
                "“%(value)s” is not true or false.", code="invalid", params={"value": value}
            ) from None


class BooleanFilter(django_filters.BooleanFilter):
    """A boolean filter that refuses values other than true and false with a 400."""

    field_class = StrictBooleanField


class IdChoiceField(NoValuesMixin, django_filters.fields.ModelMultipleChoiceField):
    """Checks that each id is a whole number a database can store before looking it up:
    SQLite raises OverflowError (a 500) on a larger one."""

    def _check_values(self, value):
        for key in value:
            text = str(key)
            if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                )
        return super()._check_values(value)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(RelatedFilterMixin, django_filters.ModelMultipleChoiceFilter):
    """Match any of several related objects given by id; an unknown id is a 400."""

    field_class = IdChoiceField


def ordering_filter(*fields):
    """An ``ordering`` parameter over ``fields`` (each a name, or a (model field, parameter
    name) pair); ``-name`` reverses. The id always breaks ties (see ``BaseFilterSet``)."""
    pairs = [field if isinstance(field, tuple) else (field, field) for field in fields]
    names = ", ".join(name for _, name in pairs)
    return OrderingFilter(fields=pairs, label=f"Sort by {names}; prefix - to reverse.")


class OrderingFilter(django_filters.OrderingFilter):
    """Refuses an empty sort key (``ordering=,,``), which the comma-separated field lets through."""

    def filter(self, qs, value):
        if value and any(not key for key in value):
            raise ValidationError({self.field_name: ["A sort key is empty; name a field, e.g. ordering=-made_on."]})
        return super().filter(qs, value)


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, converted to UTC: PostgreSQL refuses odd offsets such as -22:23, and a
    moment that falls outside years 1–9999 in UTC is an error, not an overflow."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("This moment is out of range.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


def known_state(name, value, request=None):
    """The state under review that ``value`` names (``state_under_review``, among the actors the
    client may see), or a 400 on ``name``: an actor no public row uses is answered as unknown."""
    state = state_under_review(value, actors=visible_choices(Actor)(request))
    if state is None:
        raise ValidationError({name: [f"No state with country code or actor slug “{value.strip()}”."]})
    return state


def _request_copy(filter_):
    """A filter of the class's ``base_filters`` for one request. django-filter deep-copies every
    filter (its choices, labels, widgets…) for every request, a sixth of a list request's CPU; a
    shallow copy with its own ``extra`` (which ``field`` may fill with the request's queryset),
    no form field built for another request, and its method bound to the copy is as safe."""
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    copied.__dict__.pop("_field", None)
    if copied.method is not None:
        copied.method = copied.method  # a FilterMethod of its own, which looks the method up on its parent
    return copied


class BaseFilterSet(django_filters.FilterSet):
    """Adds the "changed since" feed that every list offers, and makes every order total.

    Per request it copies its filters cheaply (``_request_copy``) and validates only the
    parameters given: the form has a field for each filter named in the query string (the
    browsable API's form, shown in HTML, has them all). A filter not given cleans to nothing and
    filters nothing either way, so the answers and the errors are the same; building and
    cleaning ~35 fields on every request was most of the filters' cost."""

    updated_after = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gt",
        label="Changed after this moment (ISO 8601, e.g. 2024-05-01T12:00:00Z); for pulling only what changed.",
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _request_copy(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def _form_filters(self):
        """The filters the form validates: those given (a parameter named after a filter, or
        after it plus a suffix, as range widgets name theirs), or all of them for HTML."""
        renderer = getattr(self.request, "accepted_renderer", None)
        if not self.is_bound or self.form_prefix or getattr(renderer, "format", None) == "api":
            return self.filters
        given = [str(key) for key in self.data]
        return {
            name: filter_
            for name, filter_ in self.filters.items()
            if any(key == name or key.startswith(f"{name}_") for key in given)
        }

    def get_form_class(self):
        fields = {name: filter_.field for name, filter_ in self._form_filters().items()}
        return type(f"{type(self).__name__}Form", (self._meta.form,), fields)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Ties in any ordering are broken by the id, so that pages never overlap or skip rows.
        ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        if not any(str(field).lstrip("-") in ("id", "pk") for field in ordering):
            ordering.append("-id" if ordering and str(ordering[0]).startswith("-") else "id")
        return queryset.order_by(*ordering)
