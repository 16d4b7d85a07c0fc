"""The FilterSets of the reference lists: documents, actors, clusters, SDGs, groups, themes, provisions."""

import django_filters
import django_filters.fields
from django_countries import countries

from ..models import (
    Actor,
    AffectedGroup,
    Cluster,
    LegalProvision,
    SourceDocument,
    SustainableDevelopmentGoal,
    Theme,
)
from .fields import (
    BaseFilterSet,
    ChoicesFilter,
    FixedChoicesFilter,
    IdFilter,
    LookupSearchFilter,
    SlugFilter,
    ordering_filter,
)

# The status filter and the counts also know recommendations that nobody has assessed yet.


class SourceDocumentFilterSet(BaseFilterSet):
    """Filters for source documents."""

    q = LookupSearchFilter(
        lookups=("external_id__icontains", "title__icontains", "publisher__icontains"),
        label="Search the external id, title and publisher.",
    )
    external_id = django_filters.CharFilter()
    document_type = ChoicesFilter(choices=SourceDocument.DocumentType.choices)
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
    kind = ChoicesFilter(choices=Actor.Kind.choices)
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
