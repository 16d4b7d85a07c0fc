from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The public dashboard: server-rendered pages built only on the public REST API."""

    name = "dashboard"
    verbose_name = "Public dashboard"
