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

from .fields import (
    NO_STATUS,
    SEARCH_CONFIG,
    STATUS_CHOICES,
    BaseFilterSet,
    BooleanFilter,
    ChoicesFilter,
    FixedChoicesField,
    FixedChoicesFilter,
    IdChoiceField,
    IdFilter,
    LookupSearchFilter,
    NoValuesMixin,
    OrderingFilter,
    RelatedFilterMixin,
    SlugChoiceField,
    SlugFilter,
    StrictBooleanField,
    UtcDateTimeField,
    UtcDateTimeFilter,
    ValuesInput,
    WholeNumberField,
    WholeNumberFilter,
    known_state,
    ordering_filter,
    text_search,
    visible_choices,
)
from .recommendations import (
    RecommendationFilterSet,
    StatusUpdateFilterSet,
    TimelineFilterSet,
)
from .reference import (
    ActorFilterSet,
    AffectedGroupFilterSet,
    ClusterFilterSet,
    LegalProvisionFilterSet,
    SdgFilterSet,
    SourceDocumentFilterSet,
    ThemeFilterSet,
)

__all__ = [
    "NO_STATUS",
    "SEARCH_CONFIG",
    "STATUS_CHOICES",
    "ActorFilterSet",
    "AffectedGroupFilterSet",
    "BaseFilterSet",
    "BooleanFilter",
    "ChoicesFilter",
    "ClusterFilterSet",
    "FixedChoicesField",
    "FixedChoicesFilter",
    "IdChoiceField",
    "IdFilter",
    "LegalProvisionFilterSet",
    "LookupSearchFilter",
    "NoValuesMixin",
    "OrderingFilter",
    "RecommendationFilterSet",
    "RelatedFilterMixin",
    "SdgFilterSet",
    "SlugChoiceField",
    "SlugFilter",
    "SourceDocumentFilterSet",
    "StatusUpdateFilterSet",
    "StrictBooleanField",
    "ThemeFilterSet",
    "TimelineFilterSet",
    "UtcDateTimeField",
    "UtcDateTimeFilter",
    "ValuesInput",
    "WholeNumberField",
    "WholeNumberFilter",
    "known_state",
    "ordering_filter",
    "text_search",
    "visible_choices",
]
