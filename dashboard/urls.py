"""The public dashboard's pages, mounted under a language prefix (/en/, /ru/) by tracker/urls.py."""

from django.urls import path, register_converter

from . import views


class CountryCodeConverter:
    """An ISO 3166 alpha-2 code in the path (/states/KZ/); any case, the API checks it."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return value


register_converter(CountryCodeConverter, "country")

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("recommendations/<int:pk>/", views.recommendation_page, name="recommendation"),
    path("documents/<int:pk>/", views.document_page, name="document"),
    path("themes/<slug:slug>/", views.theme_page, name="theme"),
    path("states/<country:code>/", views.state_page, name="state"),
    path("embed/chart/", views.embed_chart, name="embed-chart"),
    path("embed/recommendations/<int:pk>/", views.embed_card, name="embed-card"),
]
