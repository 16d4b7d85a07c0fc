"""The admin's index page as a curator's dashboard (django-unfold's DASHBOARD_CALLBACK).

Every figure is computed by the same code as the API's ``/api/v1/stats/`` (``stats.overall_counts``
and ``stats.group_counts`` over the recommendations the user may see, ``api.views.visible``), and
each one links to the recommendations list filtered to exactly the rows it counts."""

import datetime
import json
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from .. import permissions, services
from ..api.views import visible
from ..filters import NO_STATUS
from ..models import ImplementationStatus, Recommendation, ReviewState, StatusUpdate
from ..stats import group_counts, overall_counts

UPCOMING_DAYS = 90
RECENT_ROWS = 8
STATES_SHOWN = 12

STATUS_COLOURS = {
    ImplementationStatus.IMPLEMENTED: "#16a34a",
    ImplementationStatus.PARTIALLY_IMPLEMENTED: "#0ea5e9",
    ImplementationStatus.IN_PROGRESS: "#3b82f6",
    ImplementationStatus.NOT_STARTED: "#f59e0b",
    ImplementationStatus.NOT_IMPLEMENTED: "#f97316",
    ImplementationStatus.STALLED: "#eab308",
    ImplementationStatus.REGRESSED: "#dc2626",
    NO_STATUS: "#94a3b8",
}


def changelist(model=Recommendation, **params):
    url = reverse(f"admin:recommendations_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def dashboard_context(request, context):
    recommendations = visible(Recommendation.objects.all(), request).with_status_on()
    # The overall counts once, then one query per grouping (not status_counts per grouping,
    # which would count the overall figures again each time).
    overall = overall_counts(recommendations)
    by_kind = {row["key"]: row for row in group_counts(recommendations, "kind")}
    by_state = group_counts(recommendations, "country")[:STATES_SHOWN]
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=UPCOMING_DAYS)

    status_rows = [
        {
            "key": key,
            "label": "No status recorded yet" if key == NO_STATUS else ImplementationStatus(key).label,
            "count": overall["by_status"][key],
            "url": None if key == NO_STATUS else changelist(current_status__exact=key),
        }
        for key in overall["by_status"]
    ]
    kind_rows = [
        {
            "label": kind.label.split(" (")[0],
            "count": by_kind.get(kind.value, {}).get("total", 0),
            "overdue": by_kind.get(kind.value, {}).get("overdue", 0),
            "url": changelist(kind__exact=kind.value),
            "overdue_url": changelist(kind__exact=kind.value, overdue="yes"),
        }
        for kind in Recommendation.Kind
    ]
    upcoming = recommendations.filter(due_on__gte=today, due_on__lte=horizon)
    queues = []
    if request.user.has_perm(services.PUBLISH_RECOMMENDATION) or request.user.has_perm(services.PUBLISH_STATUS_UPDATE):
        drafts = Recommendation.objects.active().filter(review_state=ReviewState.DRAFT).count()
        update_drafts = StatusUpdate.objects.filter(
            review_state=ReviewState.DRAFT, recommendation__archived_at__isnull=True
        ).count()
        queues += [
            {
                "label": "Recommendations waiting for review",
                "count": drafts,
                "url": changelist(review_state__exact=ReviewState.DRAFT, archived="no"),
            },
            {
                "label": "Status updates waiting for review",
                "count": update_drafts,
                "url": changelist(StatusUpdate, review_state__exact=ReviewState.DRAFT),
            },
        ]
    if request.user.has_perm(permissions.ADD_RECOMMENDATION) or request.user.has_perm(permissions.ADD_STATUS_UPDATE):
        mine = Recommendation.objects.active().filter(review_state=ReviewState.DRAFT, created_by=request.user).count()
        mine_updates = StatusUpdate.objects.filter(review_state=ReviewState.DRAFT, recorded_by=request.user).count()
        queues += [
            {
                "label": "My draft recommendations",
                "count": mine,
                "url": changelist(review_state__exact=ReviewState.DRAFT, mine="yes"),
            },
            {
                "label": "My draft status updates",
                "count": mine_updates,
                "url": changelist(StatusUpdate, review_state__exact=ReviewState.DRAFT, mine="yes"),
            },
        ]
    chart = {
        "labels": [row["label"] for row in status_rows],
        "datasets": [
            {
                "label": "Recommendations and promises",
                "data": [row["count"] for row in status_rows],
                "backgroundColor": [STATUS_COLOURS[row["key"]] for row in status_rows],
            }
        ],
    }
    context.update(
        {
            "dashboard": {
                "total": overall["total"],
                "total_url": changelist(),
                "overdue": overall["overdue"],
                "overdue_url": changelist(overdue="yes"),
                "implementation_rate": overall["implementation_rate"],
                "statuses": status_rows,
                "kinds": kind_rows,
                "upcoming": upcoming.count(),
                "upcoming_days": UPCOMING_DAYS,
                "upcoming_url": changelist(
                    due_on__range__gte=today.isoformat(), due_on__range__lte=horizon.isoformat()
                ),
                "queues": queues,
                "states": [
                    {
                        "label": row["label"],
                        "total": row["total"],
                        "overdue": row["overdue"],
                        "url": changelist(state_under_review=row["key"]) if row["key"] else None,
                        "overdue_url": changelist(state_under_review=row["key"], overdue="yes") if row["key"] else None,
                    }
                    for row in by_state
                ],
                "recent": list(recommendations.select_related("made_by").order_by("-updated_at")[:RECENT_ROWS]),
                "status_chart": json.dumps(chart),
                "stats_api": reverse("api:stats"),
            }
        }
    )
    return context
