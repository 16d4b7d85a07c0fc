"""The words the dashboard shows for the API's codes, in the visitor's language.

The API speaks in codes (``partially_implemented``, ``promise``, ``upr``); these are their
labels on the public pages, translated with Django's i18n (``locale/``). Every code the API's
schema declares has a label here (``tests/test_dashboard_labels.py`` checks it), and the order
of ``STATUSES`` is the order of the charts, from done to not assessed.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STATUSES = {
    "implemented": _("Implemented"),
    "partially_implemented": _("Partially implemented"),
    "in_progress": _("In progress"),
    "not_started": _("Not started"),
    "not_implemented": _("Not implemented"),
    "stalled": _("Stalled"),
    "regressed": _("Regressed"),
    "no_status": _("No assessment yet"),
}

# Colours of the statuses in charts and badges: a colour-blind-safe palette (Okabe–Ito), and
# each badge also carries the status in words.
STATUS_COLOURS = {
    "implemented": "#009E73",
    "partially_implemented": "#56B4E9",
    "in_progress": "#0072B2",
    "not_started": "#E69F00",
    "not_implemented": "#D55E00",
    "stalled": "#CC79A7",
    "regressed": "#000000",
    "no_status": "#999999",
}

KINDS = {
    "recommendation": _("Recommendation"),
    "promise": _("Promise"),
}

MECHANISMS = {
    "upr": _("UN Universal Periodic Review"),
    "treaty_body": _("UN treaty body"),
    "special_procedures": _("UN special procedures"),
    "osce": _("OSCE / ODIHR"),
    "bilateral": _("Bilateral (a foreign government)"),
    "ngo": _("NGO appeal or report"),
    "national": _("National pledge"),
    "other": pgettext_lazy("mechanism", "Other"),
}

ASSESSOR_KINDS = {
    "government": _("The government's own claim"),
    "ngo": _("An NGO"),
    "un_body": _("A UN body"),
    "intergovernmental": _("An intergovernmental organisation"),
    "foreign_government": _("A foreign government"),
    "media": _("The media"),
    "staff": _("Our staff"),
}

STATE_RESPONSES = {
    "supported": _("Supported"),
    "noted": _("Noted"),
    "partially_supported": _("Partially supported"),
    "rejected": _("Rejected"),
}

# Groupings of the overview's charts: the API's ``group_by`` value and the chart's title.
GROUPINGS = {
    "theme": _("By theme"),
    "kind": _("By kind"),
    "country": _("By state under review"),
    "mechanism": _("By mechanism"),
    "made_by": _("By recommending body"),
}

# A group's API label is in English for codes (kind, mechanism): those get ours.
CODE_LABELS = {"kind": KINDS, "mechanism": MECHANISMS}


def label(mapping, code):
    """The label of ``code``, or the code itself if the API has grown a new one."""
    return mapping.get(code, code) if code is not None else ""
