"""The public dashboard's pages. Every number and text on them comes from the public REST API
(``dashboard.api.ApiClient``): these views choose the API calls, the templates lay out the
answers, and the page's JavaScript draws the charts from the same API. No view reads the
database."""

from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from . import filters as dashboard_filters
from . import labels
from .api import ApiClient, ApiError


def public_page(view):
    """A public page: GET/HEAD only, and the visitor's language remembered in the language cookie
    (the admin and ``/`` follow it)."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            request.LANGUAGE_CODE,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response

    return wrapper


def embeddable(view):
    """A page other sites may show in an ``<iframe>``: the only ones without X-Frame-Options and
    with ``frame-ancestors`` opened to ``DASHBOARD_EMBED_ANCESTORS`` (every other page stays DENY)."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": settings.DASHBOARD_EMBED_ANCESTORS})(view))


def overview_data(api, chosen, *, fixed=(), page=1):
    """Every API answer the overview (or a theme or state page) shows for the ``chosen`` filters."""
    params = dashboard_filters.to_api(chosen)
    groups = {name: api.get("stats/", {**params, "group_by": name}) for name in labels.GROUPINGS if name not in fixed}
    stats = next(iter(groups.values()), None) or api.get("stats/", params)
    timeline = api.get(
        "stats/timeline/",
        {
            **dashboard_filters.to_api(chosen, dashboard_filters.TIMELINE_FILTERS),
            **dashboard_filters.timeline_range(chosen["as_of"]),
        },
    )
    overdue = api.get(
        "recommendations/",
        {**params, "kind": "promise", "overdue": "true", "ordering": "due_on", "page_size": 10},
    )
    assessment_params = dashboard_filters.to_api(chosen, dashboard_filters.ASSESSMENT_FILTERS)
    assessments = api.get(
        "status-updates/",
        {**assessment_params, "as_of_before": chosen["as_of"], "ordering": "-as_of", "page_size": 5},
    )
    listing = api.get(
        "recommendations/",
        {**params, "ordering": "-made_on", "page": page, "page_size": dashboard_filters.LIST_PAGE_SIZE},
    )
    return {
        "stats": stats,
        "groups": groups,
        "timeline": timeline,
        "overdue": overdue,
        "assessments": assessments,
        "listing": listing,
    }


def choices(api):
    """What the filter form offers: the themes and the states under review the API knows."""
    themes = api.get("themes/", {"page_size": 500, "ordering": "name"})["results"]
    states = [group for group in api.get("stats/", {"group_by": "country"})["groups"] if group["key"]]
    return {"themes": themes, "states": sorted(states, key=lambda group: group["label"])}


def render_overview(request, *, fixed=None, heading=None, template="dashboard/overview.html", extra=None):
    api = ApiClient(request)
    fixed = fixed or {}
    chosen = dashboard_filters.read(request.GET, fixed)
    context = {
        "chosen": chosen,
        "fixed": fixed,
        "heading": heading,
        "query": dashboard_filters.query_string(chosen, fixed),
        "api_query": dashboard_filters.query_string(dashboard_filters.to_api(chosen)),
        "timeline_query": dashboard_filters.query_string(
            {
                **dashboard_filters.to_api(chosen, dashboard_filters.TIMELINE_FILTERS),
                **dashboard_filters.timeline_range(chosen["as_of"]),
            }
        ),
        "mechanism_codes": list(labels.MECHANISMS),
        # The API refuses an XLSX download of more rows than this (a CSV download of any size).
        # The embeddable chart of each grouping, with every filter of this page (fixed ones too).
        "embed_urls": {
            name: reverse("dashboard:embed-chart") + "?" + dashboard_filters.query_string(chosen, group_by=name)
            for name in labels.GROUPINGS
        },
        "groupings": {name: title for name, title in labels.GROUPINGS.items() if name not in fixed},
        **(extra or {}),
    }
    status = 200
    try:
        context.update(overview_data(api, chosen, fixed=fixed, page=request.GET.get("page") or 1))
    except ApiError as error:
        if error.status != 400:
            raise
        context["errors"] = dashboard_filters.api_error_fields(error.data)
        status = 400
    context.update(choices(api))
    context["api_calls"] = api.calls
    return render(request, template, context, status=status)


@public_page
def overview(request):
    return render_overview(request)


@public_page
def theme_page(request, slug):
    api = ApiClient(request)
    found = api.get("themes/", {"slug": slug})["results"]
    theme = next((item for item in found if item["slug"] == slug), None)
    if theme is None:
        raise Http404(slug)
    return render_overview(
        request,
        fixed={"theme": slug},
        heading=theme["name"],
        template="dashboard/theme.html",
        extra={"theme": theme, "page_kind": "theme"},
    )


@public_page
def state_page(request, code):
    api = ApiClient(request)
    states = api.get("stats/", {"group_by": "country"})["groups"]
    state = next((group for group in states if group["key"] and group["key"].upper() == code.upper()), None)
    if state is None:
        raise Http404(code)
    return render_overview(
        request,
        fixed={"state": state["key"]},
        heading=state["label"],
        template="dashboard/state.html",
        extra={"state": state, "page_kind": "state"},
    )


@public_page
def recommendation_page(request, pk):
    api = ApiClient(request)
    item = api.get(f"recommendations/{pk}/")
    return render(request, "dashboard/recommendation.html", {"item": item, "api_calls": api.calls})


@public_page
def document_page(request, pk):
    """A source document's text; ``?start=&end=`` (a citation's offsets) highlights the quote."""
    api = ApiClient(request)
    document = api.get(f"documents/{pk}/")
    text = document["text"] or ""
    start, end = offsets(request.GET, len(text))
    parts = {"before": text[:start], "quote": text[start:end], "after": text[end:]} if end > start else None
    return render(
        request,
        "dashboard/document.html",
        {"document": document, "parts": parts, "text": text, "api_calls": api.calls},
    )


def offsets(query, length):
    """The highlighted passage's character offsets, or (0, 0) when absent or out of range."""
    try:
        start, end = int(query.get("start", "")), int(query.get("end", ""))
    except ValueError:
        return 0, 0
    if 0 <= start < end <= length:
        return start, end
    return 0, 0


@embeddable
@public_page
def embed_chart(request):
    """One chart (``?group_by=``, with the overview's filters) for another site's ``<iframe>``."""
    group_by = request.GET.get("group_by", "theme")
    if group_by not in labels.GROUPINGS:
        raise Http404(group_by)
    api = ApiClient(request)
    chosen = dashboard_filters.read(request.GET)
    try:
        stats = api.get("stats/", {**dashboard_filters.to_api(chosen), "group_by": group_by})
    except ApiError as error:
        if error.status != 400:
            raise
        return render(
            request,
            "dashboard/embed_error.html",
            {"errors": dashboard_filters.api_error_fields(error.data)},
            status=400,
        )
    return render(
        request,
        "dashboard/embed_chart.html",
        {
            "stats": stats,
            "group_by": group_by,
            "title": labels.GROUPINGS[group_by],
            "chosen": chosen,
            "api_query": dashboard_filters.query_string(dashboard_filters.to_api(chosen)),
            "full_url": reverse("dashboard:overview") + "?" + dashboard_filters.query_string(chosen),
        },
    )


@embeddable
@public_page
def embed_card(request, pk):
    """One recommendation's card for another site's ``<iframe>``."""
    api = ApiClient(request)
    item = api.get(f"recommendations/{pk}/")
    return render(request, "dashboard/embed_card.html", {"item": item, "title": _("Recommendation")})
