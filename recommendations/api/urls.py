"""Routes of API version 1 (mounted at /api/v1/)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import export_jobs, views

router = DefaultRouter()
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("status-updates", views.StatusUpdateViewSet, basename="statusupdate")
router.register("documents", views.SourceDocumentViewSet, basename="sourcedocument")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("sdgs", views.SdgViewSet, basename="sdg")
router.register("affected-groups", views.AffectedGroupViewSet, basename="affectedgroup")
router.register("legal-provisions", views.LegalProvisionViewSet, basename="legalprovision")

app_name = "api"
urlpatterns = [
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("stats/timeline/", views.TimelineView.as_view(), name="stats-timeline"),
    # CSV at a URL of its own, as the lists have (the router's ``recommendations.csv``): in the schema
    # it is an operation of its own, answering text/csv.
    path("stats.csv", views.StatsView.as_view(), {"format": "csv"}, name="stats-csv"),
    path("stats/timeline.csv", views.TimelineView.as_view(), {"format": "csv"}, name="stats-timeline-csv"),
    *export_jobs.urlpatterns,
    *router.urls,
]
