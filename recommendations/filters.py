"""django-filter FilterSets for the API (and anything else that filters lists).

NetBox style: every foreign key can be filtered by slug (``theme=freedom-of-assembly``) and by
id (``theme_id=3``); a filter given several times matches any of its values; ``q`` searches.
Every value is validated by the filter's form field, so a bad value is a 400 naming the
parameter, never a 500.

A foreign-key filter accepts only what the client may see (``visible_choices``): a draft's id,
or the slug of an actor no public row uses, is refused exactly like one that does not exist, so
the answers reveal nothing about unpublished rows. In the browsable API such a filter is a plain
text box (``ValuesInput``), never a list of the rows it could match.
"""

import copy
import datetime
import functools

import django_filters
import django_filters.fields
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BigIntegerField, Case, DateField, F, Q, Value, When
from django.http import QueryDict
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .keyset import NeverNull, RowId
from .models import (
    MAX_ID,
    Actor,
    AffectedGroup,
    Cluster,
    DatePrecision,
    ImplementationStatus,
    LegalProvision,
    Recommendation,
    ReviewState,
    SourceDocument,
    StatusUpdate,
    SustainableDevelopmentGoal,
    Theme,
)
from .querysets import made_by_q, sees_drafts, state_under_review, visible_with
from .search import order_by_rank, search_recommendations

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


class FixedChoicesFilter(django_filters.MultipleChoiceFilter):
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


class RecommendationFilterSet(BaseFilterSet):
    """Filters for recommendations and promises.

    ``as_of=YYYY-MM-DD`` turns the list into the picture on that date: ``status`` and
    ``overdue`` (both the filters and the values in the response) are the ones that held on it,
    and recommendations made after it are left out (see ``RecommendationQuerySet.existing_on``).
    """

    q = django_filters.CharFilter(
        method="filter_q",
        label=(
            "Search titles, texts, actors (made by, addressed to), legal provisions and themes: every word "
            '(or "quoted phrase") must occur, as a whole word in any of its forms (tortured → torture); '
            "best matches first unless `ordering` is given; each result's `snippet` shows the words found. "
            "An exact external id finds its row."
        ),
    )
    kind = django_filters.MultipleChoiceFilter(choices=Recommendation.Kind.choices)
    language = django_filters.CharFilter(label="Language of the title and text (en, ru, kk, …).")
    status = django_filters.MultipleChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        label="Implementation status (as of `as_of` if given); `no_status` for items not assessed yet.",
    )
    overdue = BooleanFilter(
        method="filter_overdue",
        label="Deadline passed (before `as_of`, or today) without the status then being `implemented`.",
    )
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        label="Show statuses and overdue flags as they stood on this date (YYYY-MM-DD); "
        "leaves out recommendations made after it.",
    )
    mechanism = django_filters.MultipleChoiceFilter(choices=Recommendation.Mechanism.choices)
    state_response = django_filters.MultipleChoiceFilter(choices=Recommendation.StateResponse.choices)
    theme = SlugFilter(model=Theme, method="filter_theme", label="Theme slug.")
    source_issue = django_filters.CharFilter(
        method="filter_source_issue",
        label="An issue as the imported file named it (UPR Info's \"Women's rights\"), any case; the curated "
        "themes it maps to are in `theme`.",
    )
    theme_id = IdFilter(model=Theme, method="filter_theme", label="Theme id.")
    legal_provision = SlugFilter(model=LegalProvision, method="filter_legal_provision", label="Legal provision slug.")
    legal_provision_id = IdFilter(model=LegalProvision, method="filter_legal_provision", label="Legal provision id.")
    # By number: the 17 goals are fixed, so the choices are too (and no number can overflow).
    sdg = django_filters.MultipleChoiceFilter(
        choices=[(str(number), f"SDG {number}") for number in SustainableDevelopmentGoal.NUMBERS],
        method="filter_sdg",
        label="Sustainable Development Goal by number (1–17).",
    )
    affected_group = SlugFilter(model=AffectedGroup, method="filter_affected_group", label="Affected group slug.")
    affected_group_id = IdFilter(model=AffectedGroup, method="filter_affected_group", label="Affected group id.")
    made_by = SlugFilter(model=Actor, method="filter_made_by", label="Slug of an actor who made it (alone or jointly).")
    made_by_id = IdFilter(model=Actor, method="filter_made_by", label="Id of an actor who made it (alone or jointly).")
    addressed_to = SlugFilter(model=Actor, field_name="addressed_to", label="Slug of the actor it is addressed to.")
    addressed_to_id = IdFilter(model=Actor, field_name="addressed_to", label="Id of the actor it is addressed to.")
    actor = SlugFilter(model=Actor, method="filter_actor", label="Actor slug: made by or addressed to this actor.")
    actor_id = IdFilter(model=Actor, method="filter_actor", label="Actor id: made by or addressed to this actor.")
    country = FixedChoicesFilter(
        choices=list(countries),
        field_name="addressed_to__country",
        label="ISO country code of the state (or authority) it is addressed to.",
    )
    made_after = django_filters.DateFilter(field_name="made_on", lookup_expr="gte", label="Made on or after.")
    made_before = django_filters.DateFilter(field_name="made_on", lookup_expr="lte", label="Made on or before.")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label="Due on or after.")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="Due on or before.")
    has_deadline = BooleanFilter(field_name="due_on", lookup_expr="isnull", exclude=True)
    external_id = django_filters.CharFilter()
    cluster = IdFilter(model=Cluster, field_name="cluster", label="Id of the cluster (the same ask) it belongs to.")
    state_under_review = django_filters.CharFilter(
        method="filter_state_under_review",
        label=(
            "The state under review, by ISO country code (KZ) or actor slug (kazakhstan): everything addressed "
            "to it or to any actor of that country (its president, its authorities)."
        ),
    )
    review_state = django_filters.MultipleChoiceFilter(
        choices=ReviewState.choices, label="draft or published (only staff see drafts)."
    )
    upr_cycle = WholeNumberFilter(min_value=0, max_value=32767)
    upr_session = WholeNumberFilter(min_value=0, max_value=32767)
    ordering = ordering_filter(
        "made_on", "due_on", "title", ("effective_status_as_of", "status_as_of"), "updated_at", "id"
    )

    class Meta:
        model = Recommendation
        fields = []

    def filter_queryset(self, queryset):
        # Every other filter, the ordering and the serializer read the status annotations, so
        # they are added first, for the date asked for.
        return self._in_period_order(super().filter_queryset(queryset.with_status_on(self.as_of_date)))

    def _assessed_statuses_on_date(self):
        """The statuses asked for with ``as_of``, if none of them is "no status" (else None): then
        every row is one status period covering the date (``filter_status``)."""
        statuses = self.form.cleaned_data.get("status")
        if self.as_of_date is None or not statuses or NO_STATUS in statuses:
            return None
        return statuses

    def _in_period_order(self, queryset):
        """In the made-on order (the default), a list of assessed statuses on a date is sorted by
        the status period's copies of the keys (``StatusPeriod.made_on_key`` and its
        recommendation's id, equal to the recommendation's own): PostgreSQL then walks the
        periods' index in the list's order, from the cursor on, and stops when the page is full,
        instead of reading and sorting every period that matches."""
        order = [str(key) for key in queryset.query.order_by]
        if [key.lstrip("-") for key in order] != ["made_on", "id"] or self._assessed_statuses_on_date() is None:
            return queryset
        keys = [("-" if key.startswith("-") else "") + f"period_{key.lstrip('-')}" for key in order]
        return queryset.annotate(
            period_made_on=NeverNull(F("status_on__made_on_key"), output_field=DateField()),
            period_id=RowId(F("status_on__recommendation_id"), output_field=BigIntegerField()),
        ).order_by(*keys)

    @property
    def as_of_date(self):
        """The validated ``as_of`` date, or None (today, by the current status)."""
        return self.form.cleaned_data.get("as_of")

    def filter_as_of(self, queryset, name, value):
        return queryset.existing_on(value) if value else queryset

    def filter_q(self, queryset, name, value):
        found = search_recommendations(queryset, value)
        if found is queryset or self.form.cleaned_data.get("ordering"):
            return found
        # No order asked for: the best matches first (keyset pages follow the rank, then the id).
        return order_by_rank(found)

    def filter_state_under_review(self, queryset, name, value):
        return queryset.for_state_under_review(known_state(name, value, self.request))

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        statuses = ["" if status == NO_STATUS else status for status in value]
        if self.as_of_date is None:
            return queryset.filter(effective_status__in=statuses)  # the indexed current_status column
        if "" not in statuses:
            # The rows whose status period covering the date has one of these statuses (an inner
            # join), made by then: a range of status_period_list_idx (one status) or
            # status_period_any_idx (several), read in the list's order (``_in_period_order``).
            # (Through aliases: a filter() on the relation itself would join the periods a second time.)
            period = queryset.alias(period_status=F("status_on__status"), period_key=F("status_on__made_on_key"))
            return period.filter(period_status__in=statuses, period_key__lte=self.as_of_date)
        # "No status" is the absence of a covering period. Said as "not unmatched", PostgreSQL
        # guesses that most rows match and walks the list's index in order, probing each row's
        # period, until the page (or the capped count) is full; for "= 'x'" it would guess 0.5 %
        # of the rows and read and sort every row made by then.
        matches = Case(When(effective_status__in=statuses, then=Value(1)), default=Value(0))
        return queryset.alias(status_matches=matches).exclude(status_matches=0)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue_on(self.as_of_date) if value else queryset.not_overdue_on(self.as_of_date)

    def filter_theme(self, queryset, name, value):
        # A subquery rather than a join: no duplicate rows, so no DISTINCT and exact counts.
        if not value:
            return queryset
        through = Recommendation.themes.through.objects.filter(theme__in=value)
        return queryset.filter(pk__in=through.values("recommendation_id"))

    def filter_source_issue(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        through = Recommendation.source_themes.through.objects.filter(sourcetheme__name__iexact=value)
        return queryset.filter(pk__in=through.values("recommendation_id"))

    def filter_sdg(self, queryset, name, value):
        if not value:
            return queryset
        through = Recommendation.sdgs.through.objects.filter(sustainabledevelopmentgoal__number__in=value)
        return queryset.filter(pk__in=through.values("recommendation_id"))

    def filter_affected_group(self, queryset, name, value):
        if not value:
            return queryset
        through = Recommendation.affected_groups.through.objects.filter(affectedgroup__in=value)
        return queryset.filter(pk__in=through.values("recommendation_id"))

    def filter_legal_provision(self, queryset, name, value):
        if not value:
            return queryset
        through = Recommendation.legal_provisions.through.objects.filter(legalprovision__in=value)
        return queryset.filter(pk__in=through.values("recommendation_id"))

    def filter_made_by(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(made_by_q(value))

    def filter_actor(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(made_by_q(value) | Q(addressed_to__in=value))


class TimelineFilterSet(RecommendationFilterSet):
    """The recommendation filters that make sense across a range of dates: the timeline reports
    every status at every date, so it takes no ``status``, ``overdue``, ``as_of`` or ``ordering``."""

    status = None
    overdue = None
    as_of = None
    ordering = None

    def filter_queryset(self, queryset):
        # No status annotation and no order: the timeline adds its own for each date.
        return django_filters.FilterSet.filter_queryset(self, queryset)


class StatusUpdateFilterSet(BaseFilterSet):
    """Filters for the status history: "what changed this month?" is
    ``as_of_after=2024-04-01&as_of_before=2024-04-30`` (dated then) or ``updated_after=`` (recorded then)."""

    q = django_filters.CharFilter(method="filter_q", label="Search the summary.")
    recommendation = IdFilter(model=Recommendation, label="Recommendation id.")
    status = django_filters.MultipleChoiceFilter(choices=ImplementationStatus.choices)
    as_of_after = django_filters.DateFilter(field_name="as_of", lookup_expr="gte", label="Dated on or after.")
    as_of_before = django_filters.DateFilter(field_name="as_of", lookup_expr="lte", label="Dated on or before.")
    as_of_precision = django_filters.MultipleChoiceFilter(choices=DatePrecision.choices)
    assessor_kind = django_filters.MultipleChoiceFilter(choices=StatusUpdate.AssessorKind.choices)
    assessed_by = SlugFilter(model=Actor, field_name="assessed_by", label="Assessor's slug.")
    assessed_by_id = IdFilter(model=Actor, field_name="assessed_by", label="Assessor's id.")
    kind = django_filters.MultipleChoiceFilter(
        choices=Recommendation.Kind.choices, field_name="recommendation__kind", label="Kind of the recommendation."
    )
    theme = SlugFilter(model=Theme, field_name="recommendation__themes", distinct=True)
    mechanism = django_filters.MultipleChoiceFilter(
        choices=Recommendation.Mechanism.choices,
        field_name="recommendation__mechanism",
        label="Mechanism of the recommendation.",
    )
    state_under_review = django_filters.CharFilter(
        method="filter_state_under_review",
        label="The state under review of the recommendation, by ISO country code (KZ) or actor slug, as for "
        "recommendations.",
    )
    review_state = django_filters.MultipleChoiceFilter(
        choices=ReviewState.choices, label="draft or published (only staff see drafts)."
    )
    ordering = ordering_filter("as_of", "created_at", "updated_at", "id")

    class Meta:
        model = StatusUpdate
        fields = []

    def filter_q(self, queryset, name, value):
        return text_search(queryset, value, ["summary"])

    def filter_state_under_review(self, queryset, name, value):
        recommendations = Recommendation.objects.for_state_under_review(known_state(name, value, self.request))
        return queryset.filter(recommendation__in=recommendations.values("pk"))


class SourceDocumentFilterSet(BaseFilterSet):
    """Filters for source documents."""

    q = LookupSearchFilter(
        lookups=("external_id__icontains", "title__icontains", "publisher__icontains"),
        label="Search the external id, title and publisher.",
    )
    external_id = django_filters.CharFilter()
    document_type = django_filters.MultipleChoiceFilter(choices=SourceDocument.DocumentType.choices)
    language = django_filters.CharFilter()
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")
    ordering = ordering_filter("published_on", "external_id", "title", "updated_at", "id")

    class Meta:
        model = SourceDocument
        fields = []


class ActorFilterSet(BaseFilterSet):
    """Filters for actors."""

    q = LookupSearchFilter(lookups=("name__icontains", "slug__icontains"), label="Search the name and slug.")
    slug = django_filters.CharFilter()
    kind = django_filters.MultipleChoiceFilter(choices=Actor.Kind.choices)
    country = FixedChoicesFilter(choices=list(countries))
    part_of = SlugFilter(model=Actor, field_name="part_of")
    part_of_id = IdFilter(model=Actor, field_name="part_of")
    ordering = ordering_filter("name", "slug", "updated_at", "id")

    class Meta:
        model = Actor
        fields = []


class ClusterFilterSet(BaseFilterSet):
    """Filters for clusters of repeated asks."""

    q = LookupSearchFilter(
        lookups=("name__icontains", "description__icontains"), label="Search the name and description."
    )
    ordering = ordering_filter("name", "updated_at", "id")

    class Meta:
        model = Cluster
        fields = []


class SdgFilterSet(BaseFilterSet):
    """Filters for the Sustainable Development Goals."""

    q = LookupSearchFilter(lookups=("name__icontains",), label="Search the name.")
    ordering = ordering_filter("number", "name", "id")

    class Meta:
        model = SustainableDevelopmentGoal
        fields = []


class AffectedGroupFilterSet(BaseFilterSet):
    """Filters for the groups of persons recommendations concern."""

    q = LookupSearchFilter(lookups=("name__icontains", "slug__icontains"), label="Search the name and slug.")
    slug = django_filters.CharFilter()
    ordering = ordering_filter("name", "slug", "updated_at", "id")

    class Meta:
        model = AffectedGroup
        fields = []


class ThemeFilterSet(BaseFilterSet):
    """Filters for themes."""

    q = LookupSearchFilter(lookups=("name__icontains", "slug__icontains"), label="Search the name and slug.")
    slug = django_filters.CharFilter()
    parent = SlugFilter(model=Theme, field_name="parent")
    parent_id = IdFilter(model=Theme, field_name="parent")
    ordering = ordering_filter("name", "slug", "updated_at", "id")

    class Meta:
        model = Theme
        fields = []


class LegalProvisionFilterSet(BaseFilterSet):
    """Filters for legal provisions."""

    q = LookupSearchFilter(
        lookups=("instrument__icontains", "article__iexact", "title__icontains", "slug__icontains"),
        label="Search the instrument, article, title and slug.",
    )
    slug = django_filters.CharFilter()
    country = FixedChoicesFilter(choices=list(countries))
    instrument = django_filters.CharFilter(lookup_expr="iexact")
    article = django_filters.CharFilter()
    ordering = ordering_filter("instrument", "article", "slug", "updated_at", "id")

    class Meta:
        model = LegalProvision
        fields = []
