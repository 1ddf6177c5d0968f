"""Tongchou settings, read from environment variables.

The defaults run the demo on SQLite. With ``TONGCHOU_ENV=production`` the process refuses to start
while any demo secret (``SECRET_KEY``, ``TONGCHOU_DATA_KEY``) is still in place.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

DEMO_SECRET_KEY = "demo-insecure-secret-key-change-me-in-production-0123456789"
# 32 bytes, base64: the demo data-encryption key. Never use it for real data.
DEMO_DATA_KEY = "ZGVtby1kYXRhLWtleS1kby1ub3QtdXNlLWluLXByb2Q="


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


TONGCHOU_ENV = env("TONGCHOU_ENV", "demo")
PRODUCTION = TONGCHOU_ENV == "production"

SECRET_KEY = env("SECRET_KEY", DEMO_SECRET_KEY)
TONGCHOU_DATA_KEY = env("TONGCHOU_DATA_KEY", DEMO_DATA_KEY)

if PRODUCTION:
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
    if TONGCHOU_DATA_KEY == DEMO_DATA_KEY:
        raise ImproperlyConfigured("TONGCHOU_DATA_KEY must be set (32 random bytes, base64).")
    if not env("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "tongchou.core",
    "tongchou.regions",
    "tongchou.organizations",
    "tongchou.members",
    "tongchou.mobility",
    "tongchou.transfers",
    "tongchou.orglife",
    "tongchou.education",
    "tongchou.resources",
    "tongchou.linkage",
    "tongchou.talent",
    "tongchou.accounts",
    "tongchou.portal",
    "tongchou.service",
    "tongchou.pairing",
    "tongchou.jobs",
    "tongchou.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongchou.core.middleware.LanguageMiddleware",
    "tongchou.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongchou.members.middleware.IdNumberInUrlMiddleware",
    "tongchou.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tongchou.core.middleware.ContentSecurityPolicyMiddleware",
    "tongchou.core.middleware.NoStoreMiddleware",
]
# Working days (core.workdays): the holidays package's Chinese calendar, replaceable by a
# dotted path to is_day_off(date), and correctable with ISO dates before the package catches up.
DAYS_OFF_CALENDAR = env("DAYS_OFF_CALENDAR", "")
EXTRA_DAYS_OFF = [d.strip() for d in env("EXTRA_DAYS_OFF", "").split(",") if d.strip()]
EXTRA_WORKDAYS = [d.strip() for d in env("EXTRA_WORKDAYS", "").split(",") if d.strip()]

# Server-Timing headers with the application's own time per request (bench/http.py reads them).
SERVER_TIMING = env_bool("SERVER_TIMING", False)
if SERVER_TIMING:
    MIDDLEWARE.insert(0, "tongchou.core.middleware.ServerTimingMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'tongchou.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page read while an import or the task worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's hashers, then the one for passwords an administrator hands out (random, valid
# ISSUED_PASSWORD_DAYS, changed at first sign-in: no key stretching needed, and a branch's
# accounts are created within one request; see tongchou/accounts/hashers.py). Listed last, it
# only verifies them; Django re-hashes with the first at the person's first sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "tongchou.accounts.hashers.IssuedPasswordHasher",
]
AUTHENTICATION_BACKENDS = ["tongchou.core.auth.LockoutModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Lockout: this many failures for one username from one client address within the window lock
# that username from that address for the window.
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(env("LOGIN_LOCKOUT_MINUTES", "15"))
# API tokens stop working this many hours after they were issued (and at once when the
# password changes or the account is deactivated).
API_TOKEN_HOURS = int(env("API_TOKEN_HOURS", "24"))
# A password an administrator hands out (a new account's, a reset's) that the person has not
# replaced by their own stops signing in after this many days; an admin then resets it.
ISSUED_PASSWORD_DAYS = int(env("ISSUED_PASSWORD_DAYS", "14"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not env_bool("TONGCHOU_PLAIN_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Upload limit for imports: larger files are refused with a clear message.
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# What one import may make the worker do (see tongchou/members/importing/limits.py): data rows,
# seconds, bytes unpacked from an .xlsx; a job whose worker stopped beating this many minutes ago
# is failed and its upload deleted.
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "1100000"))
IMPORT_MAX_SECONDS = int(env("IMPORT_MAX_SECONDS", "1200"))
IMPORT_MAX_UNZIPPED_BYTES = int(env("IMPORT_MAX_UNZIPPED_BYTES", str(2 * 1024**3)))
IMPORT_STALE_MINUTES = int(env("IMPORT_STALE_MINUTES", "10"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Members in motion (see README "Configuration"): a mobile member not reached for this many
# months counts as lost contact; introduction letters are valid this many days; the yearly study
# standard (党员每年集中学习培训不少于 32 学时) is shown beside each member's hours.
LOST_CONTACT_MONTHS = int(env("LOST_CONTACT_MONTHS", "6"))
TRANSFER_LETTER_VALID_DAYS = int(env("TRANSFER_LETTER_VALID_DAYS", "90"))
# Letter serials read 〈prefix〉〔year〕000123号; the prefix names the deployment.
TRANSFER_LETTER_PREFIX = env("TRANSFER_LETTER_PREFIX", "石组转")
STUDY_HOURS_STANDARD = int(env("STUDY_HOURS_STANDARD", "32"))
# Lookups by ID number (the inflow registration, the member search, refused duplicates) per
# person per hour; 0 turns the budget off. Counted in the shared cache below.
ID_LOOKUP_LIMIT_PER_HOUR = int(env("ID_LOOKUP_LIMIT_PER_HOUR", "60"))
# The resident's no-account form (/service/submit/): needs accepted per client address per hour;
# Open311: POST requests per API key per hour. 0 turns a limit off. Counted in the shared cache
# below (a fixed clock-hour window; see tongchou/core/ratelimit.py). Behind a proxy, the proxy
# must pass the client's address as REMOTE_ADDR (see README), or every resident shares one.
SERVICE_SUBMIT_PER_HOUR = int(env("SERVICE_SUBMIT_PER_HOUR", "10"))
OPEN311_POSTS_PER_HOUR = int(env("OPEN311_POSTS_PER_HOUR", "600"))
# A cache every app server shares (counters such as the lookup budget must not live in one
# process): the database by default (its table is created after ``migrate``); point
# CACHE_BACKEND/CACHE_LOCATION at Redis or Memcached when there is one.
CACHES = {
    "default": {
        "BACKEND": env("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": env("CACHE_LOCATION", "tongchou_cache"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# Security: secure cookies whenever served over HTTPS (production), strict headers always.
SECURE_COOKIES = env_bool("SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "tongchou.core.error_pages.csrf_failure"
# On in production (HTTP is redirected to HTTPS); behind a TLS-terminating proxy the proxy's
# X-Forwarded-Proto says the request was HTTPS (SECURE_PROXY_SSL_HEADER below), so no loop.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "tongchou.core.api.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["tongchou.core.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tongchou.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "tongchou.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "tongchou.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tongchou API",
    "DESCRIPTION": "统筹 — urban–rural integrated grassroots Party building. All reads are scoped "
    "to the caller's organizations; an object out of scope answers 404.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tongchou.core.api.schema.document_errors",
    ],
    # Several models have a "kind" or "status" with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "tongchou.organizations.models.OrgKind",
        "OrgStatusEnum": "tongchou.organizations.models.OrgStatus",
        "UnitKindEnum": "tongchou.organizations.models.UnitKind",
        "RoleKindEnum": "tongchou.organizations.models.RoleKind",
        "RegionKindEnum": "tongchou.regions.models.RegionKind",
        "MemberStatusEnum": "tongchou.members.choices.MemberStatus",
        "StationKindEnum": "tongchou.mobility.models.StationKind",
        "MobilityStatusEnum": "tongchou.mobility.models.MobilityStatus",
        "TransferKindEnum": "tongchou.transfers.models.TransferKind",
        "TransferStateEnum": "tongchou.transfers.models.TransferState",
        "SessionKindEnum": "tongchou.orglife.models.SessionKind",
        "AttendanceStatusEnum": "tongchou.orglife.models.AttendanceStatus",
        "ResourceKindEnum": "tongchou.resources.models.ResourceKind",
        "ResourceStatusEnum": "tongchou.resources.models.ResourceStatus",
        "SeriesModeEnum": ["check", "free", "all"],
        "CourseModeEnum": "tongchou.education.models.CourseMode",
        "ProducerKindEnum": "tongchou.linkage.models.ProducerKind",
        "BuyerKindEnum": "tongchou.linkage.models.BuyerKind",
        "UnshippedReasonEnum": "tongchou.linkage.planner.REASONS",
        "ReasonEnum": "tongchou.mobility.models.MobilityReason",
        "TalentKindEnum": "tongchou.talent.models.TalentKind",
        "ExchangeKindEnum": "tongchou.talent.models.ExchangeKind",
        "ExchangeStateEnum": "tongchou.talent.models.AssignmentState",
        "NeedStatusEnum": "tongchou.talent.models.NeedStatus",
        "RoundStateEnum": "tongchou.talent.models.RoundState",
        "UnfilledReasonEnum": "tongchou.talent.serializers.UNFILLED_REASONS",
        "FlowDirectionEnum": "tongchou.regions.flows.FlowDirection",
        "UrbanRuralEnum": "tongchou.regions.models.UrbanRural",
        "PairKindEnum": "tongchou.pairing.models.PairKind",
        "PairStateEnum": "tongchou.pairing.models.PairState",
        "ItemKindEnum": "tongchou.pairing.models.ItemKind",
        "ItemUnitEnum": "tongchou.pairing.models.ItemUnit",
        "GivingDirectionEnum": "tongchou.pairing.models.Giving",
        "OpeningStateEnum": "tongchou.jobs.models.OpeningState",
        "OpeningStateChangeEnum": ["open", "closed"],
        "ApplicationStateEnum": "tongchou.jobs.models.ApplicationState",
        "SeekerKindEnum": "tongchou.jobs.models.SeekerKind",
    },
}

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Mobile members lost-contact threshold etc. live in their apps; shared labels here.
SITE_TITLE = _("统筹 · 城乡统筹基层党建")
