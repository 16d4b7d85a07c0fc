"""Template helpers for the dashboard: labels of the API's codes, dates as precisely as they are
known, rates, the language switcher's links and the rows of a status chart."""

import datetime

from django import template
from django.urls import translate_url
from django.utils import dateformat
from django.utils.translation import gettext as _

from .. import labels

register = template.Library()


@register.filter
def status_label(code):
    return labels.label(labels.STATUSES, code or "no_status")


@register.filter
def kind_label(code):
    return labels.label(labels.KINDS, code)


@register.filter
def mechanism_label(code):
    return labels.label(labels.MECHANISMS, code)


@register.filter
def assessor_label(code):
    return labels.label(labels.ASSESSOR_KINDS, code)


@register.filter
def state_response_label(code):
    return labels.label(labels.STATE_RESPONSES, code)


@register.filter
def is_government_claim(code):
    """Whose assessment: the government's own claim, or an independent one."""
    return code == "government"


@register.filter
def group_label(group, grouping):
    """A chart row's label: ours for codes (kind, mechanism), the API's name otherwise."""
    mapping = labels.CODE_LABELS.get(grouping)
    if group.get("key") is None:
        return _("(none)")
    if mapping:
        return labels.label(mapping, group["key"])
    return group["label"]


@register.simple_tag
def partial_date(value, precision="day"):
    """An ISO date from the API shown only as precisely as it is known: "12 June 2019",
    "June 2019", "2019"; in the page's language."""
    if not value:
        return ""
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return value
    if precision == "year":
        return dateformat.format(day, "Y")
    if precision == "month":
        return dateformat.format(day, "F Y")
    return dateformat.format(day, "j E Y")


@register.filter
def percent(rate):
    """A rate (0–1, or None when there is nothing to count) as a percentage."""
    if rate is None:
        return "–"
    return f"{rate * 100:.1f} %"


@register.filter
def share(count, total):
    """``count`` as a percentage of ``total``, for the width of a bar segment."""
    try:
        return round(100 * count / total, 2) if total else 0
    except TypeError:
        return 0


@register.simple_tag
def status_rows(counts):
    """A stats entry's counts by status, in chart order, with each status's label and colour."""
    by_status = counts.get("by_status", {})
    return [
        {
            "key": key,
            "label": label,
            "colour": labels.STATUS_COLOURS[key],
            "count": by_status.get(key, 0),
            "share": share(by_status.get(key, 0), counts.get("total", 0)),
        }
        for key, label in labels.STATUSES.items()
    ]


@register.simple_tag
def statuses():
    """Every status in chart order, with its label and colour."""
    return [
        {"key": key, "label": label, "colour": labels.STATUS_COLOURS[key]} for key, label in labels.STATUSES.items()
    ]


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every language, its filters kept: the language switcher."""
    from django.conf import settings

    request = context["request"]
    query = request.META.get("QUERY_STRING", "")
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(request.path, code)
        links.append({"code": code, "name": name, "url": url + (f"?{query}" if query else "")})
    return links


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def script_config():
    """What the page's JavaScript needs in the page's language: the statuses (label, colour, in
    chart order) and a few words (read with ``json_script``, no inline script)."""
    return {
        "statuses": statuses(),
        "text": {
            "showTable": _("Show as a table"),
            "tableFollows": _("The same figures are in the table below."),
            "copied": _("Copied"),
            "downloadRefused": _("The API did not give the download:"),
            # A view too large for one request: the API's export job writes the file meanwhile.
            "exportStarting": _("This view is large: the file is being prepared…"),
            "exportProgress": _("Preparing the file: {done} of {total} rows written…"),
            "exportReady": _("The file is ready: your download has started."),
        },
    }
