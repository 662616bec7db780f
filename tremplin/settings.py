"""Django settings, read from the environment (see README, "Configuration").

The defaults are those of a developer's machine (SQLite file under ./var, console e-mail). Production
sets TREMPLIN_ENV=production, which refuses to start with DEBUG on or with a weak secret key, and turns
on secure cookies, the HTTPS redirect and HSTS (`manage.py check --deploy` is clean, tests/test_settings.py).
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tremplin.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TREMPLIN_DATA_DIR", str(BASE_DIR / "var")))

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"
ENVIRONMENT = env_str("TREMPLIN_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"TREMPLIN_ENV must be development, production or test, got {ENVIRONMENT!r}")

SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Django's own page carries an inline <style> that the Content-Security-Policy blocks: ours, in our look.
CSRF_FAILURE_VIEW = "tremplin.www.errors.csrf_failure"

if ENVIRONMENT == "production":
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (TREMPLIN_ENV=production).")
    # Django's own bar (check --deploy, security.W009): 50 characters, 5 different ones at least.
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a long random value in production (50 characters or more)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS to the platform's host names in production.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # HTTPS only: plain HTTP is redirected, and browsers are told (HSTS) never to try it again.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a reverse proxy that ends TLS, Django sees plain HTTP and would redirect forever: name the
    # header the proxy sets (e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto), and make sure the proxy
    # overwrites it on every request, or a client could claim HTTPS on its own.
    _proxy_header = env_str("SECURE_PROXY_SSL_HEADER")
    if _proxy_header:
        _proxy_header = _proxy_header.upper().replace("-", "_")
        SECURE_PROXY_SSL_HEADER = (
            _proxy_header if _proxy_header.startswith("HTTP_") else f"HTTP_{_proxy_header}",
            "https",
        )

# Content-Security-Policy (django-csp 4) on every response: scripts and styles only from our own static
# files (no inline script, handler or style attribute: templates pass data with json_script or data-
# attributes), images from ourselves, data: URIs (Bootstrap's icons) and the map tile server, which
# js/site.js is the only one to name. No plugin, no framing, forms post only to ourselves.
MAP_TILES_ORIGIN = "https://tile.openstreetmap.org"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", MAP_TILES_ORIGIN],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_bootstrap5",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # The HTTP API (django-ninja: its documentation page is served from its own static files).
    "ninja",
    "tremplin.accounts",
    "tremplin.audit",
    "tremplin.geo",
    "tremplin.territories",
    "tremplin.establishments",
    "tremplin.heatnetworks",
    "tremplin.imports",
    "tremplin.installations",
    "tremplin.flows",
    "tremplin.registers",
    "tremplin.questionnaire",
    "tremplin.synergies",
    "tremplin.indicators",
    "tremplin.reports",
    "tremplin.programme",
    "tremplin.potentials",
    "tremplin.coaching",
    "tremplin.workshops",
    "tremplin.api",
    "tremplin.demo",
    "tremplin.www",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the WSGI server (gunicorn), before sessions and the rest: see STORAGES.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tremplin.www.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tremplin.urls"
WSGI_APPLICATION = "tremplin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tremplin.www.context_processors.platform",
            ],
            "string_if_invalid": env_str("TEMPLATE_STRING_IF_INVALID", ""),
        },
    }
]

# In production each web thread keeps its database connection for DATABASE_CONN_MAX_AGE seconds (checked
# before reuse) instead of opening one per request.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tremplin.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if ENVIRONMENT == "production" else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Concurrent writers (web processes, the task worker) wait for each other instead of failing with
    # "database is locked": WAL lets readers go on while one writes; IMMEDIATE takes the write lock when
    # a transaction begins, so that the busy timeout (seconds) applies instead of a deadlock error on
    # upgrading a read lock (tests/test_sqlite_concurrency.py).
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = env_int("SQLITE_TIMEOUT_S", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Hours a sign-up confirmation link stays valid (the account is inactive until it is opened).
ACCOUNT_CONFIRMATION_HOURS = env_int("ACCOUNT_CONFIRMATION_HOURS", 48)

# Sessions end after this many minutes without a request (each request moves the expiry on).
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 120)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one address from one IP
# address, that pair is refused, even with the right password, for LOGIN_LOCKOUT_MINUTES. The site's and
# the admin's login forms both go through it; a success clears the count.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "tremplin.accounts.throttling.LoginThrottleBackend",  # django-axes' backend, see there
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours, as a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login forms' field (it holds the e-mail address)
AXES_USERNAME_CALLABLE = "tremplin.accounts.throttling.login_name"
AXES_LOCKOUT_CALLABLE = "tremplin.accounts.throttling.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins go to the platform's audit log, without IP address
AXES_VERBOSE = False
# Reverse proxies in front of the platform that append the client's address to X-Forwarded-For (0: the
# client's address is REMOTE_ADDR). Login throttling and link rate limits read the client the same way.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# One date format per language, and the French thousands separator (tremplin/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["tremplin.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# In production, `tremplin collectstatic` (which `tremplin serve` runs) copies the static files to
# STATIC_ROOT under names carrying a hash of their content, with gzip copies (tremplin/www/staticfiles.py);
# WhiteNoise serves them with a far-future cache lifetime (the name changes when the content does).
# Elsewhere WhiteNoise serves the files from the apps' folders as they change (`tremplin serve` works
# without collecting them first) and STATIC_ROOT need not exist.
WHITENOISE_USE_FINDERS = ENVIRONMENT != "production"
WHITENOISE_AUTOREFRESH = ENVIRONMENT != "production"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "tremplin.www.staticfiles.ManifestStaticFilesStorage"
        if ENVIRONMENT == "production"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}


def _xstatic_dirs() -> list[tuple[str, str]]:
    """Front-end libraries come from pip packages (XStatic), never from a CDN."""
    import importlib.util

    import xstatic.pkg.bootstrap
    import xstatic.pkg.leaflet_markercluster

    # Leaflet itself comes from django-leaflet's static files. The app is not installed: its admin
    # module needs GDAL (GeoDjango), which the platform does without.
    leaflet_spec = importlib.util.find_spec("leaflet")
    leaflet_static = Path(leaflet_spec.origin).parent / "static"
    return [
        ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
        ("vendor/leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
        str(leaflet_static),
    ]


STATICFILES_DIRS += _xstatic_dirs()
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tremplin <noreply@tremplin.localhost>")

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

BOOTSTRAP5 = {
    "css_url": {"url": "/" + STATIC_URL + "vendor/bootstrap/css/bootstrap.min.css"},
    "javascript_url": {"url": "/" + STATIC_URL + "vendor/bootstrap/js/bootstrap.bundle.min.js"},
}

# Largest signed letter or council deliberation an EPCI may upload with its application (PDF).
PROGRAMME_UPLOAD_MAX_BYTES = env_int("PROGRAMME_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

# Days a company questionnaire link stays valid.
QUESTIONNAIRE_INVITATION_DAYS = env_int("QUESTIONNAIRE_INVITATION_DAYS", 30)

# `tremplin serve` (gunicorn and the background worker, see README "Production"): where it listens, its
# web processes (0: 2 × cores + 1, at most 8; WEB_CONCURRENCY is gunicorn's own name), threads per
# process, and the seconds after which a request still running is aborted. One thread is gunicorn's
# plain worker, which takes requests from the shared queue in turn: with threads, keep-alive connections
# stay with one process and some users wait much longer than others (benchmarks/load.py).
SERVER_BIND = env_str("TREMPLIN_BIND", "127.0.0.1:8000")
SERVER_WORKERS = env_int("WEB_CONCURRENCY", 0)
SERVER_THREADS = env_int("SERVER_THREADS", 1)
SERVER_TIMEOUT_S = env_int("SERVER_TIMEOUT_S", 120)

# Platform identity shown in the header and footer.
PLATFORM_NAME = env_str("PLATFORM_NAME", "Tremplin")
# The platform's address, for the links of e-mails built outside a request (commands, tasks); in
# production it defaults to https:// and the first of ALLOWED_HOSTS.
SITE_URL = env_str(
    "SITE_URL",
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
    if ENVIRONMENT == "production" and ALLOWED_HOSTS and ALLOWED_HOSTS[0] != "*"
    else "http://localhost:8000",
).rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Before both sides of a synergy agree to be introduced, a company contact sees each counterpart as an
# activity and a distance band that at least this many establishments of the territory share.
SYNERGY_ANONYMITY_MIN_ESTABLISHMENTS = env_int("SYNERGY_ANONYMITY_MIN_ESTABLISHMENTS", 3)
if SYNERGY_ANONYMITY_MIN_ESTABLISHMENTS < 2:
    raise ImproperlyConfigured("SYNERGY_ANONYMITY_MIN_ESTABLISHMENTS must be 2 or more.")

# Detection runs: a run whose task gave no news (heartbeat) for this many seconds is taken as lost (its
# worker was killed): it no longer blocks a new run and is marked as failed. Longer than the longest
# step of a large run.
DETECTION_HEARTBEAT_TIMEOUT_S = env_int("DETECTION_HEARTBEAT_TIMEOUT_S", 300)

# `tremplin db-worker` is tremplin.synergies' wrapper of django_tasks_db's worker: it first marks the
# detection runs a killed worker left behind as failed. Django takes a command from the first app that
# has it, so the synergies app goes before django_tasks_db.
INSTALLED_APPS.remove("tremplin.synergies")
INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "tremplin.synergies")
# --- Questionnaire links: rate limits, the cache that counts them, expiry of the access they grant ---
# The default cache is local to each process: right for development and tests. A deployment running
# several web processes points CACHE_BACKEND / CACHE_LOCATION at a shared cache (e.g.
# django.core.cache.backends.filebased.FileBasedCache and a directory, or
# django.core.cache.backends.db.DatabaseCache after `tremplin createcachetable`), or each process
# counts on its own and the limits below are multiplied by the number of processes.
CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": env_str("CACHE_LOCATION", "tremplin"),
    }
}
# Look-ups of questionnaire links allowed per client address and per link in each window.
QUESTIONNAIRE_LINK_LOOKUPS_PER_IP = env_int("QUESTIONNAIRE_LINK_LOOKUPS_PER_IP", 30)
QUESTIONNAIRE_LINK_LOOKUPS_PER_LINK = env_int("QUESTIONNAIRE_LINK_LOOKUPS_PER_LINK", 10)
QUESTIONNAIRE_LINK_WINDOW_SECONDS = env_int("QUESTIONNAIRE_LINK_WINDOW_SECONDS", 600)
# An expired invitation ends the access it granted at the contact's next request (and from cron with
# `tremplin end-expired-invitations`).
MIDDLEWARE += ["tremplin.www.questionnaire.middleware.ExpiredInvitationMiddleware"]

# Imports of establishment files (SIRENE CSV, the platform's CSV/XLSX template); see the README.
# Largest file the import page accepts (the command line reads files of any size).
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
# Data lines a file may have (the command line's --max-rows raises it for one import).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 250_000)
# Errors listed for a refused file (the others are counted).
IMPORT_MAX_ERRORS_LISTED = env_int("IMPORT_MAX_ERRORS_LISTED", 100)
# What an XLSX workbook may declare once uncompressed, and its largest compression ratio.
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
IMPORT_XLSX_MAX_RATIO = env_int("IMPORT_XLSX_MAX_RATIO", 100)
# Files that read into at most this many bytes are imported at once; larger ones in the background worker.
IMPORT_INLINE_MAX_BYTES = env_int("IMPORT_INLINE_MAX_BYTES", 1024 * 1024)
# A running import that reports no progress for this long is taken as interrupted.
IMPORT_STALE_AFTER_MINUTES = env_int("IMPORT_STALE_AFTER_MINUTES", 30)
# A SIRENE extract for a call's applicants (national or regional stock, read once in the worker).
REGISTER_EXTRACT_MAX_UPLOAD_BYTES = env_int("REGISTER_EXTRACT_MAX_UPLOAD_BYTES", 4 * 1024 * 1024 * 1024)
REGISTER_EXTRACT_MAX_ROWS = env_int("REGISTER_EXTRACT_MAX_ROWS", 60_000_000)

# --- Integrity and personal data (one-time form submissions, RGPD, retention) ---------------------
INSTALLED_APPS += ["tremplin.submissions", "tremplin.privacy"]

# Statistical secrecy: a figure adding up fewer companies than this is not shown outside its territory.
AGGREGATE_MIN_COMPANIES = env_int("AGGREGATE_MIN_COMPANIES", 3)
if AGGREGATE_MIN_COMPANIES < 1:
    raise ImproperlyConfigured("AGGREGATE_MIN_COMPANIES must be at least 1.")

# Retention (tremplin purge, see README "Personal data"): days after which it is deleted.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 5 * 365)
PURGE_INVITATIONS_AFTER_DAYS = env_int("PURGE_INVITATIONS_AFTER_DAYS", 90)  # after the link expired
SUBMISSION_RETENTION_DAYS = env_int("SUBMISSION_RETENTION_DAYS", 2)  # one-time keys of create forms
# An import preview nobody confirmed or cancelled is cancelled and its file deleted after this long.
IMPORT_PREVIEW_RETENTION_DAYS = env_int("IMPORT_PREVIEW_RETENTION_DAYS", 14)
# django-axes' records of sign-in attempts (address typed, IP address, browser), for investigating attacks.
LOGIN_ATTEMPTS_RETENTION_DAYS = env_int("LOGIN_ATTEMPTS_RETENTION_DAYS", 30)
