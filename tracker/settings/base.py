"""Settings for the tracker, read from the environment through one django-environ ``env``.

Production mode is the default (DEBUG off) and needs ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``DATABASE_URL``; with ``DEBUG=true`` (what ``make run`` sets) the defaults give a zero-set-up
development instance on SQLite. Production differs from development by environment variables only.
See ``.env.example`` for every variable.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file next to manage.py is read if present; real environment variables win.
# ENV_FILE names another file (the production tests point it at an empty one to stay hermetic).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

# Off unless asked for: `make run` exports DEBUG=true; anything else is production mode.
DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    # Development only: a fixed, obviously insecure key so `make run` needs no set-up.
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off (production mode) the tracker needs a secret key from the "
            "environment: set SECRET_KEY to a random string of at least 50 characters, for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'` (see .env.example). "
            "For local development set DEBUG=true instead (`make run` does)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off (production mode) list the host names the tracker is "
        "served under, comma-separated, e.g. ALLOWED_HOSTS=tracker.example.org (see .env.example)."
    )

INSTALLED_APPS = [
    # The admin's theme (django-unfold): responsive, dark mode, autocomplete filters. Before
    # django.contrib.admin so that its templates win. See docs/admin.md.
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Production mode: whitenoise serves static files under runserver too, as it does under gunicorn.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "rangefilter",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    # Background jobs: Django's tasks interface (backport) and its ORM backend.
    "django_tasks",
    "django_tasks_db",
    "recommendations",
    # The public dashboard at /<language>/, built on the API only.
    "dashboard",
    # Production mode: admin login lockout, Content-Security-Policy.
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Production mode: static files (right after SecurityMiddleware), then the CSP header.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # API responses: Vary on Authorization and Cookie, and a Cache-Control policy.
    "tracker.middleware.ApiCachePolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: from the URL on the dashboard (/ru/…), else the language cookie the dashboard
    # sets, else the browser's Accept-Language (the admin follows the visitor's choice too).
    "django.middleware.locale.LocaleMiddleware",
    # Before CommonMiddleware, so that its redirects carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records which user made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Production mode: turns a locked-out login into the lockout page; django-axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tracker" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each gunicorn worker keeps its connection for a minute rather than opening one per request
# (several ms each on PostgreSQL); the health check below replaces one that died meanwhile.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A reused connection is checked before a request uses it, so one that died (PostgreSQL restarted)
# is replaced instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# With the database unreachable every request gets a 503 with this Retry-After (seconds), and the
# outage is logged (and mailed to ADMINS) at most once per interval per worker (tracker/errors.py).
# PostgreSQL's JIT compiler costs the API's statements more than it saves (tracker/database.py).
DATABASE_JIT = env.bool("DATABASE_JIT", default=False)
DATABASE_UNAVAILABLE_RETRY_AFTER = env.int("DATABASE_UNAVAILABLE_RETRY_AFTER", default=10)
DATABASE_UNAVAILABLE_LOG_INTERVAL = env.int("DATABASE_UNAVAILABLE_LOG_INTERVAL", default=300)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The dashboard's languages (translations in dashboard/locale/); the admin has Django's own.
LANGUAGES = [("en", "English"), ("ru", "Русский")]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Project static files, found before the apps' own: the admin's stylesheet and scripts, and the
# CSP build of Alpine.js standing in for the one django-unfold ships (tracker/static/VENDORED.md).
STATICFILES_DIRS = [BASE_DIR / "tracker" / "static"]
# Where `collectstatic` gathers the files that whitenoise serves in production.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# Where `load_seeds` reads the seed documents and the curated data file.
SEEDS_DIR = Path(env.str("SEEDS_DIR", default=str(BASE_DIR / "seeds")))

# Where the admin keeps an uploaded import file between its preview and the confirmation
# (files are private to the server and removed after the import or after a day).
IMPORT_UPLOAD_DIR = Path(env.str("IMPORT_UPLOAD_DIR", default=str(Path(tempfile.gettempdir()) / "tracker-imports")))


# ---------------------------------------------------------------------------------------------
# Production mode (issue 4): security headers, static files, shared cache, login lockout, logs.
# Every value below has a safe production default when DEBUG is off and can be changed through
# the environment; with DEBUG on (`make run`, plain http on 127.0.0.1) the HTTPS-only ones are off.
# ---------------------------------------------------------------------------------------------

# HTTPS: redirect http to https, cookies only over https, HSTS. Behind a proxy that terminates TLS,
# set SECURE_PROXY_SSL_HEADER to the header it sets (X-Forwarded-Proto) so Django sees the request
# as secure; only do so if the proxy overwrites that header on every request.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# Origins (scheme + host) allowed to POST forms, e.g. https://tracker.example.org; needed when the
# host name users type differs from the one Django sees.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Sessions stay in the database (Django's default): every worker and host sharing the PostgreSQL
# database sees the same sessions, with nothing else to run.

# Content-Security-Policy (django-csp 4 format). Only our own origin; no inline code except the
# <script>/<style> blocks that carry the per-request nonce (django-admin-rangefilter uses it).
# Inline style *attributes* are allowed (style-src-attr): third-party templates use a few
# (django-simple-history's history page, DRF's login page) and an attribute can't run script or
# select other elements, unlike an injected <style> or <script> block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Static files: whitenoise serves what `collectstatic` gathered, with hashed names and compression.
# The manifest storage needs `collectstatic` first, so development (DEBUG on) uses the plain one.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Background jobs (recommendations/jobs/): queued in the database and run by
# `python manage.py db_worker` (one or more, beside the web server). A larger deployment can swap
# the backend by settings alone, e.g. django-tasks-rq on Redis.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Selections larger than this run as a job; smaller ones at once, through the same services.
JOBS_INLINE_LIMIT = env.int("JOBS_INLINE_LIMIT", default=50)
# Rows per transaction in a job, at most, and seconds per transaction, at most: a killed worker
# loses at most one batch, which a rerun redoes; short transactions leave the database free for
# the curators' own saves meanwhile.
JOBS_BATCH_SIZE = env.int("JOBS_BATCH_SIZE", default=200)
JOBS_BATCH_SECONDS = env.float("JOBS_BATCH_SECONDS", default=1.0)
# A running job with no committed progress for this many seconds is taken for dead and may be
# queued again (admin: Jobs → Run again; `python manage.py requeue_stale_jobs`).
JOBS_STALE_AFTER = env.int("JOBS_STALE_AFTER", default=300)
# How often a job inside one long transaction (an import writing) commits its heartbeat from a
# side thread (PostgreSQL; on SQLite the job's write lock keeps it from being queued again).
JOBS_HEARTBEAT_SECONDS = env.float("JOBS_HEARTBEAT_SECONDS", default=30.0)
# Exports with more rows than this are written by a job; smaller ones are streamed at once.
EXPORT_INLINE_LIMIT = env.int("EXPORT_INLINE_LIMIT", default=5000)
# Where export jobs write their files (served through the admin's job page and the API's export jobs).
EXPORT_DIR = Path(env.str("EXPORT_DIR", default=str(Path(tempfile.gettempdir()) / "tracker-exports")))
# The API's export (recommendations/export/) streams at most this many rows in the request; more
# are refused with a 400 that points to the export job (…/export/jobs/), which writes them in the
# background: past ~30,000 rows a request outlives gunicorn's 30 s timeout on a quiet server
# (docs/jobs.md, Figures); lower it on a busy one.
EXPORT_STREAM_LIMIT = env.int("EXPORT_STREAM_LIMIT", default=25000)
# Hours an export job's file is kept after it is written; then it is refused (410 Gone) and removed
# (recommendations/jobs/export.py: expired_export_jobs).
EXPORT_JOB_TTL = env.float("EXPORT_JOB_TTL", default=24.0)
# Export jobs started anonymously that may wait or run at once, all clients together: beyond it a
# new one is refused with 503 and Retry-After (each client is throttled too; this keeps many
# clients from filling the worker's queue).
EXPORT_JOBS_PUBLIC_MAX_WAITING = env.int("EXPORT_JOBS_PUBLIC_MAX_WAITING", default=10)
# Where a queued job's input waits for the worker (an admin import's uploaded file): a directory
# every worker can read, like EXPORT_DIR; removed once imported.
JOBS_INPUT_DIR = Path(env.str("JOBS_INPUT_DIR", default=str(Path(tempfile.gettempdir()) / "tracker-job-inputs")))
# `manage.py cleanup_jobs` (run it daily): the uploaded file of an import that failed is kept this
# many days for a rerun, then removed (an export job's file: EXPORT_JOB_TTL above).
JOBS_INPUT_RETENTION = env.float("JOBS_INPUT_RETENTION", default=30.0)

# Cache: Redis when REDIS_URL is set (Django's own backend), shared by every worker and host; it
# holds the API throttling counters (DRF uses the default cache). Without it, a per-process
# local-memory cache: fine for one process; several workers or hosts need REDIS_URL.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, falling back to a per-process cache while Redis is
            # unreachable (tracker/cache.py): the API keeps answering, throttling per worker.
            "BACKEND": "tracker.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="tracker"),
            # Fail fast rather than hang a worker when Redis is unreachable; then leave it alone
            # for RETRY_SECONDS and warn at most every WARNING_INTERVAL seconds.
            "OPTIONS": {
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                "RETRY_SECONDS": env.int("REDIS_RETRY_SECONDS", default=5),
                "WARNING_INTERVAL": env.int("REDIS_WARNING_INTERVAL", default=60),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Login lockout (django-axes) on the admin login: after AXES_FAILURE_LIMIT failed attempts for one
# username from one IP address, that pair is refused for AXES_COOLOFF_MINUTES. The counters are rows
# in the database (axes' database handler), so every worker and host sharing the PostgreSQL database
# sees the same counts, with or without Redis. Chosen over axes' cache handler because the attempts
# then show in the admin (who tried which account from where) and a staff member can lift a lock
# there or with `manage.py axes_reset_username`; the cache handler can't reset by username when
# counting username + IP pairs, and with a local-memory cache it would not be shared at all.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# Client address: the connecting address, unless NUM_PROXIES reverse proxies stand in front; then
# the X-Forwarded-For entry the outermost of them added (the NUM_PROXIES-th from the right, as DRF's
# NUM_PROXIES counts). Entries a client forges to the left of it are ignored, so they can't dodge
# the lockout. django-ipware counts the proxies listed in the header, one fewer than stand in front.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES - 1 if NUM_PROXIES else None
IPWARE_STRICT = False  # extra (forged) entries on the left don't void the header
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if NUM_PROXIES else ("REMOTE_ADDR",)

# Logging: everything to stdout (gunicorn and the process manager collect it); with DEBUG off users
# get Django's plain error pages, tracebacks go to the log and, if ADMINS is set, by email.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
SERVER_EMAIL = env.str("SERVER_EMAIL", default="root@localhost")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=SERVER_EMAIL)
# Outgoing mail (error reports to ADMINS) from one URL, e.g. smtp+tls://user:password@smtp.example.org:587.
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        # django-axes announces itself on every start-up; its login failures and lockouts stay logged.
        "axes.apps": {"level": "WARNING"},
        # Outages of Redis and of the database, at most once per interval (tracker/cache.py, errors.py).
        "tracker.availability": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
        "django.request": {
            "handlers": ["stdout", "mail_admins"],  # the mail handler sends nothing while ADMINS is empty
            "level": "ERROR",
            "propagate": False,
        },
    },
}

# Review: the reviewer who publishes a status update or recommendation (confirming that each
# citation supports it) may not be the editor who wrote it. A single-person organisation can allow
# it; such rows are marked self-reviewed (the API shows it).
ALLOW_SELF_REVIEW = env.bool("ALLOW_SELF_REVIEW", default=False)

# ── REST API (/api/v1/) ─────────────────────────────────────────────────────────────────────
# Every API default is set here once; views only say what differs for them.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens for integrations (`manage.py drf_create_token <user>`), as `Bearer <key>` or `Token <key>`,
        # refused while the user is locked out (django-axes), like their password; sessions for the
        # browsable API.
        "recommendations.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reading is public; any write needs a logged-in user with the model's add/change/delete permission.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Writes take JSON only, with size and nesting caps (recommendations/api/parsers.py); the schema
    # declares only JSON: a generated client offered form and multipart picks multipart, which cannot
    # carry nested citations. (The browsable API posts its raw-data form as JSON.)
    "DEFAULT_PARSER_CLASSES": ["recommendations.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "recommendations.api.pagination.KeysetPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "recommendations.api.renderers.CSVRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_THROTTLE_RATE", default="120/minute"),
        "user": env.str("API_USER_THROTTLE_RATE", default="1200/minute"),
        # Export jobs started (POST …/export/jobs/), per client: each one costs a worker seconds to
        # minutes, so far fewer than reads.
        "export_job": env.str("API_EXPORT_JOB_THROTTLE_RATE", default="20/hour"),
    },
    # Throttles count per client address: behind NUM_PROXIES proxies, the one the outermost saw.
    # Left unset, DRF would trust a client's own X-Forwarded-For and a forged one dodges the limit.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "recommendations.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "recommendations.api.views.exception_handler",
    # Dates and times in ISO 8601; numbers as JSON numbers.
    "COERCE_DECIMAL_TO_STRING": False,
}
# After signing in to the browsable API (/api/auth/login/) without a ?next=, go to the API root.
LOGIN_REDIRECT_URL = "/api/v1/"
LOGOUT_REDIRECT_URL = "/api/v1/"
# Public API reads (anonymous GET answered 200) may be cached this long by browsers and proxies
# ("Cache-Control: public, max-age=…"); authenticated responses are "private, no-store".
API_PUBLIC_CACHE_SECONDS = env.int("API_PUBLIC_CACHE_SECONDS", default=60)
# How long the server keeps the public's stats/ and stats/timeline/ answers (recommendations/
# stats_cache.py); every write to published data makes them obsolete at once. Needs a cache that
# every worker shares, so it is off (0) without REDIS_URL.
API_STATS_CACHE_SECONDS = env.int("API_STATS_CACHE_SECONDS", default=300 if REDIS_URL else 0)
# The largest page a client may ask for with ?page_size=.
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=500)
# Request bodies: the largest an endpoint accepts unless it says otherwise (413 beyond; recording
# a status update with its quotes allows more), and how deeply JSON arrays and objects may nest
# (400 beyond; no real request nests more than 3 deep).
API_MAX_BODY_SIZE = env.int("API_MAX_BODY_SIZE", default=64 * 1024)
API_MAX_JSON_DEPTH = 32
# Lists count their rows up to this many; beyond it they say "more than" (docs/performance.md).
API_COUNT_LIMIT = env.int("API_COUNT_LIMIT", default=1000)
# Admin changelists count up to this many rows; beyond, PostgreSQL's estimate (admin/paginator.py).
ADMIN_COUNT_LIMIT = env.int("ADMIN_COUNT_LIMIT", default=10000)

SPECTACULAR_SETTINGS = {
    "TITLE": "Recommendation tracker API",
    "DESCRIPTION": (
        "Read-only access for dashboards to recommendations, promises, their status history and "
        "evidence, with counts by status; authenticated staff may record status updates."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc are served from the drf-spectacular-sidecar package: no external CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Responses are declared as JSON; CSV has operations of its own (recommendations/api/schema.py).
    "RENDERER_WHITELIST": ["rest_framework.renderers.JSONRenderer"],
    # Error responses, ETag, CSV operations, the full=true page, readable enum names: what generated
    # clients need (recommendations/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "recommendations.api.schema.postprocess",
    ],
    # Nested choices are named by their class (drf-spectacular imports one attribute below a module's).
    "ENUM_NAME_OVERRIDES": {
        "ImplementationStatusEnum": "recommendations.models.ImplementationStatus.choices",
        "DatePrecisionEnum": "recommendations.models.DatePrecision.choices",
        "DateBasisEnum": "recommendations.models.DateBasis.choices",
        "AssessorKindEnum": "recommendations.models.StatusUpdate.AssessorKind",
        "RecommendationKindEnum": "recommendations.models.Recommendation.Kind",
        "ActorKindEnum": "recommendations.models.Actor.Kind",
    },
}


def _admin_link(title, icon, target, permission):
    """An entry of the admin's sidebar: a model's list (or a named URL), shown to who may see it."""
    name = target if ":" in target else f"admin:recommendations_{target}_changelist"
    # A function of the request, not a lazy URL: error reports print the settings, and a lazy URL
    # would be resolved there, under whatever URLconf failed.
    entry = {"title": title, "icon": icon, "link": lambda request: reverse(name)}
    if permission:
        entry["permission"] = lambda request: request.user.has_perm(f"recommendations.{permission}")
    return entry


# The admin's theme (django-unfold). Its colours come from a static stylesheet rather than the
# inline <style> block unfold writes (the CSP allows no inline style without a nonce).
UNFOLD = {
    "SITE_TITLE": "Recommendation tracker",
    "SITE_HEADER": "Recommendation tracker",
    "SITE_SUBHEADER": "Curation",
    "SITE_SYMBOL": "fact_check",
    "SHOW_VIEW_ON_SITE": False,
    "GLOBAL_CALLBACK": "recommendations.admin.site.global_context",
    "STYLES": [lambda request: static("tracker/admin.css")],
    "SCRIPTS": [lambda request: static("tracker/admin.js")],
    "DASHBOARD_CALLBACK": "recommendations.admin.dashboard.dashboard_context",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": [
            {
                "title": "Curation",
                "items": [
                    _admin_link("Dashboard", "dashboard", "admin:index", None),
                    _admin_link("Recommendations", "checklist", "recommendation", "view_recommendation"),
                    _admin_link("Status updates", "timeline", "statusupdate", "view_statusupdate"),
                    _admin_link("Source documents", "description", "sourcedocument", "view_sourcedocument"),
                    _admin_link("Citations", "format_quote", "citation", "view_citation"),
                    _admin_link("Links", "link", "recommendationlink", "view_recommendationlink"),
                ],
            },
            {
                "title": "Reference data",
                "items": [
                    _admin_link("Actors", "groups", "actor", "view_actor"),
                    _admin_link("Themes", "sell", "theme", "view_theme"),
                    _admin_link("Legal provisions", "gavel", "legalprovision", "view_legalprovision"),
                ],
            },
        ],
    },
}

# Dashboard origins allowed to call the API from a browser, comma-separated, e.g.
# CORS_ALLOWED_ORIGINS=https://dashboard.example.org,http://localhost:3000
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# Sites allowed to show the dashboard's embeddable chart and card (/<language>/embed/…) in an
# <iframe>, as CSP frame-ancestors sources, comma-separated (e.g. https://ngo.example.org);
# "*" (the default) lets any site embed them. Every other page may not be framed at all.
DASHBOARD_EMBED_ANCESTORS = env.list("DASHBOARD_EMBED_ANCESTORS", default=["*"])
