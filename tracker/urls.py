"""URL configuration: the public dashboard at /<language>/ (/ sends a visitor to their language),
the admin (curation) at /admin/, the REST API at /api/v1/, its OpenAPI schema at /api/schema/ and
interactive docs at /api/docs/ (Swagger UI) and /api/redoc/."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

admin.site.site_header = "Recommendation tracker"
admin.site.site_title = "Recommendation tracker"
admin.site.index_title = "Curation"

urlpatterns = [
    # Browsers ask for /favicon.ico on every site; without it each page logs a 404 in the console.
    # (resolved per request: the production manifest of hashed static names is read at run time).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg"))),
    path("admin/", admin.site.urls),
    path("api/v1/", include("recommendations.api.urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The Content-Security-Policy allows no inline script: the "split" Swagger view loads its
    # start-up code as a file. Swagger UI and Redoc set inline styles, and Redoc runs a worker.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="api-redoc",
    ),
    # Log in and out of the browsable API with a staff account.
    path("api/auth/", include("rest_framework.urls", namespace="rest_framework")),
]
# The public dashboard, in every language of LANGUAGES: /en/, /ru/. "/" has no page of its own:
# LocaleMiddleware redirects it to the visitor's language (cookie, then Accept-Language).
urlpatterns += i18n_patterns(path("", include("dashboard.urls")))

# A database outage is a 503 with Retry-After, reported once per interval, not a 500 per request.
handler500 = "tracker.errors.server_error"
