"""Django settings, read from the environment (see README, "Configuration").

The defaults are those of a developer's machine (SQLite file under ./var, console e-mail). Production
sets TREMPLIN_ENV=production, which refuses to start with DEBUG on or with the development secret key.
"""

from pathlib import Path

import dj_database_url
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

if ENVIRONMENT == "production":
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (TREMPLIN_ENV=production).")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Set SECRET_KEY to a long random value in production.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

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
    "django_tasks",
    "django_tasks_db",
    "tremplin.accounts",
    "tremplin.audit",
    "tremplin.geo",
    "tremplin.territories",
    "tremplin.establishments",
    "tremplin.flows",
    "tremplin.questionnaire",
    "tremplin.synergies",
    "tremplin.indicators",
    "tremplin.reports",
    "tremplin.programme",
    "tremplin.coaching",
    "tremplin.demo",
    "tremplin.www",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tremplin.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]


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

# Platform identity shown in the header and footer.
PLATFORM_NAME = env_str("PLATFORM_NAME", "Tremplin")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

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
