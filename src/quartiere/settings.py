"""Quartiere settings: the only module that reads the environment.

QUARTIERE_ENV selects the mode: ``development`` (default; safe local defaults, SQLite under
var/), ``test`` (used by pytest), ``production`` (every secret must come from the environment).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("QUARTIERE_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"

ENV = os.environ.get("QUARTIERE_ENV") or ("test" if "pytest" in sys.modules else "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"QUARTIERE_ENV must be development, test or production, not {ENV!r}"
    )
PRODUCTION = ENV == "production"


def _env(name: str, default: str | None = None) -> str:
    """Read a variable; in production a variable without a value is a hard failure."""
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION or default is None:
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    return default


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in _env(name, default).split(",") if item.strip()]


SECRET_KEY = _env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-quartiere-demo")
DEBUG = os.environ.get("DEBUG", "0") == "1" and not PRODUCTION
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

DATABASES = {
    "default": dj_database_url.parse(
        _env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'quartiere.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Keys for special-category fields (Fernet, urlsafe base64, comma-separated; the first key
# encrypts, every key decrypts, so keys rotate without downtime). Kept outside the database.
FIELD_ENCRYPTION_KEYS = _env_list(
    "FIELD_ENCRYPTION_KEYS", "cXVhcnRpZXJlLWRlbW8ta2V5LW5vdC1mb3ItcmVhbC11c2U="
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap_italia_template",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    # Quartiere contexts, in dependency order (seed-demo follows this order).
    "quartiere.core",
    "quartiere.accounts",
    "quartiere.territory",
    "quartiere.people",
    "quartiere.monitoring",
    "quartiere.reports",
    "quartiere.activities",
    "quartiere.programme",
    "quartiere.training",
    "quartiere.relocation",
    "quartiere.participation",
    "quartiere.backoffice",
    "quartiere.portal",
    "quartiere.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "quartiere.accounts.middleware.CachedOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "quartiere.core.middleware.CSPMiddleware",
    "quartiere.accounts.middleware.CurrentLabMiddleware",
    "quartiere.accounts.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quartiere.urls"
WSGI_APPLICATION = "quartiere.wsgi.application"

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
                "csp.context_processors.nonce",
                "quartiere.accounts.context_processors.current_lab",
            ],
        },
    }
]
# Django's form renderer, with the common built-in widget templates written in Python.
FORM_RENDERER = "quartiere.core.form_renderer.QuickRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "quartiere.accounts.backends.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backoffice:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# Lock-out after repeated failures (django-axes): per user name and address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor authentication (TOTP, django-otp): whoever has a device must use it; with
# TWO_FACTOR_REQUIRED every staff member (any role but resident) must set one up.
TWO_FACTOR_REQUIRED = os.environ.get("TWO_FACTOR_REQUIRED", "1" if PRODUCTION else "0") == "1"
OTP_TOTP_ISSUER = "Quartiere"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
try:  # Leaflet's files come from the xstatic-leaflet package (no GDAL, no Node build).
    import xstatic.pkg.leaflet as _leaflet

    STATICFILES_DIRS = [PACKAGE_DIR / "static", ("xstatic/leaflet", _leaflet.BASE_DIR)]
except ImportError:  # pragma: no cover
    STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if ENV != "test"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 3600

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Quartiere <noreply@quartiere.example>")
# The site's public address, used in links sent by e-mail (tracking pages).
QUARTIERE_PUBLIC_URL = os.environ.get("QUARTIERE_PUBLIC_URL", "http://127.0.0.1:8000")
if PRODUCTION:
    EMAIL_BACKEND = _env("EMAIL_BACKEND")

# One process in the demo: a local-memory cache. Several gunicorn workers or hosts must share
# a cache (page-cache versions, rate limits, log-in lock-outs): set CACHE_URL=redis://host:6379/1.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "quartiere.core.cache.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The user, their permissions, labs and two-factor devices are cached between requests
# (accounts/authcache.py) when the cache is shared by every process, so that a change reaches
# all of them at once; sessions then read from the cache too (written through to the database).
# A local-memory cache is private to each gunicorn worker: nothing is cached across requests
# there, unless AUTH_CACHE_SECONDS says so (the tests: one process).
_SHARED_CACHE = CACHE_URL.startswith(("redis://", "rediss://"))
AUTH_CACHE_SECONDS = int(
    os.environ.get("AUTH_CACHE_SECONDS", "300" if _SHARED_CACHE or ENV == "test" else "0")
)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)

# Background tasks: run at once in the demo and tests (no worker needed); in production they
# go to the database queue that ``quartiere worker`` drains.
TASKS_MODE = os.environ.get("QUARTIERE_TASKS", "database" if PRODUCTION else "immediate")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_MODE == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API takes JSON bodies only (no uploads): JSON can say "null", a form post cannot.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "quartiere.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "quartiere.api.errors.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Quartiere API",
    "DESCRIPTION": "Staff API of the Quartiere platform for neighbourhood social labs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components, so required text fields say minLength 1.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "quartiere.core.drf.schema_text_without_nul",
    ],
    # Swagger UI's files are served locally (no CDN), and its script is not inline (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Content Security Policy with nonces: no inline script or style runs without one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", "https://*.tile.openstreetmap.org"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # PDF rendering (registers, letters, presentations) is chatty at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "quartiere.audit": {"level": os.environ.get("AUDIT_LOG_LEVEL", "WARNING")},
    },
}

# Paging of back-office lists.
QUARTIERE_PAGE_SIZE = 25
