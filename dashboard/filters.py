"""The dashboard's filters: what the visitor chose, kept in the page's URL so that a view can be
shared, and turned into the public API's parameters.

The URL uses the API's own parameter names (``theme``, ``kind``, ``mechanism``, ``status``,
``overdue``, ``q``, ``as_of``) except ``state`` (the API's ``state_under_review``). The API checks
every value; a bad one comes back as its 400 and the page shows the API's message by the field.
"""

import datetime

from django.utils.http import urlencode

# The dashboard parameter → the API parameter.
API_NAMES = {
    "theme": "theme",
    "kind": "kind",
    "state": "state_under_review",
    "mechanism": "mechanism",
    "status": "status",
    "overdue": "overdue",
    "q": "q",
    "as_of": "as_of",
}
# The recommendation filters the timeline takes (it reports every status on every date).
TIMELINE_FILTERS = ("theme", "kind", "state", "mechanism", "q")
# The status-update filters that describe the recommendations the assessments are about.
ASSESSMENT_FILTERS = ("theme", "kind", "state", "mechanism")
LIST_PAGE_SIZE = 25
CSV_PAGE_SIZE = 500  # the API's largest page
TIMELINE_YEARS = 10


def read(query, fixed=None):
    """The filters in a page's query string (one value each), with ``fixed`` ones (the theme of a
    theme page, the state of a state page) that the visitor cannot change on that page."""
    chosen = {name: query.get(name, "").strip() for name in API_NAMES}
    chosen.update(fixed or {})
    return chosen


def to_api(filters, names=tuple(API_NAMES)):
    """The API parameters for the chosen ``filters`` (only ``names``), empty ones left out."""
    return {API_NAMES[name]: filters[name] for name in names if filters.get(name)}


def api_error_fields(error_data):
    """The API's 400 body with its parameter names turned back into the dashboard's."""
    back = {api: ours for ours, api in API_NAMES.items()}
    if not isinstance(error_data, dict):
        return {"": [str(error_data)]}
    return {back.get(key, key): value if isinstance(value, list) else [value] for key, value in error_data.items()}


def query_string(filters, fixed=(), **changes):
    """The page's query string for ``filters`` changed by ``changes``, without the fixed ones
    (they are in the path) and without empty values."""
    values = {**filters, **changes}
    return urlencode({key: value for key, value in values.items() if value and key not in fixed})


def timeline_range(as_of):
    """The timeline's dates: quarter by quarter over the last ten years up to ``as_of`` (or today)."""
    end = parse_date(as_of) or datetime.date.today()
    return {"start": end.replace(year=end.year - TIMELINE_YEARS + 1, month=1, day=1), "end": end, "interval": "quarter"}


def parse_date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
