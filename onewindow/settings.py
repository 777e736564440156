"""Settings for OneWindow, read from the environment.

Environment variables:
  DATABASE_URL     database (default: SQLite file var/onewindow.sqlite3)
  SECRET_KEY       required in production
  DEBUG            "1"/"true" to enable Django's debug pages (default off; never in production)
  ALLOWED_HOSTS    comma-separated host names
  ONEWINDOW_ENV    "production" switches on the hardened settings checked by `check --deploy`
  ONEWINDOW_CITY_NAME / ONEWINDOW_CITY_NAME_EN / ONEWINDOW_EMBLEM   the city's name and emblem
  ONEWINDOW_AUDIT_KEY or ONEWINDOW_AUDIT_KEY_FILE   the key of the audit chain (required in
                   production; kept outside the database)
  ONEWINDOW_AUDIT_CHECKPOINT   the file the worker writes the signed audit checkpoint to
  ONEWINDOW_TRUSTED_PROXIES    how many proxies in front of the service append to X-Forwarded-For
                   (default 0: the client address is REMOTE_ADDR and the header is ignored)
  ONEWINDOW_API_TOKEN_DAYS     how many days a new API token lasts (default 90)
  LOGIN_ADDRESS_MAX_FAILURES / LOGIN_ADDRESS_WINDOW_MINUTES / LOGIN_ADDRESS_LOCKOUT_MINUTES
                   failed sign-ins from one client address within the window that pause
                   sign-in from that address, and for how long (default 20 in 15 min, 15 min)
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number from the environment; a wrong one stops the start, naming it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

PRODUCTION = os.environ.get("ONEWINDOW_ENV", "development") == "production"
# Off unless asked for, also in development: `make demo` and `onewindow serve` show the
# platform's own translated error pages, as production does. DEBUG=1 gives Django's debug
# pages (tracebacks, the technical 404) while developing; never in production.
DEBUG = env_bool("DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = os.environ["SECRET_KEY"]  # no default: refuse to start without one
else:
    SECRET_KEY = os.environ.get(
        "SECRET_KEY", "dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz-ONEWINDOW"
    )


def read_audit_key() -> tuple[str, str]:
    """The audit chain's HMAC key and where it came from ("environment", "file", "").

    The key lives outside the database (the environment or a file only the service account
    can read), so that someone who can write the database cannot recompute the chain."""
    path = os.environ.get("ONEWINDOW_AUDIT_KEY_FILE", "").strip()
    if path:
        # A missing or unreadable file stops the start, as it should.
        return Path(path).read_text(encoding="utf-8").strip(), "file"
    key = os.environ.get("ONEWINDOW_AUDIT_KEY", "").strip()
    return key, "environment" if key else ""


ONEWINDOW_AUDIT_KEY, ONEWINDOW_AUDIT_KEY_SOURCE = read_audit_key()
if not ONEWINDOW_AUDIT_KEY:
    if PRODUCTION:
        # No default, as for SECRET_KEY: refuse to start without one.
        raise ImproperlyConfigured(
            "ONEWINDOW_AUDIT_KEY or ONEWINDOW_AUDIT_KEY_FILE must be set in production"
        )
    # Development and tests: a key derived from SECRET_KEY (`check --deploy` refuses it).
    ONEWINDOW_AUDIT_KEY = (
        "derived:" + hashlib.sha256(b"onewindow-audit-key:" + SECRET_KEY.encode()).hexdigest()
    )
    ONEWINDOW_AUDIT_KEY_SOURCE = "derived"
# The signed checkpoint of the audit chain's head (seq, hash, time, HMAC) that the worker
# writes and `audit verify` checks; keep a copy where the database's users cannot write.
ONEWINDOW_AUDIT_CHECKPOINT = Path(
    os.environ.get("ONEWINDOW_AUDIT_CHECKPOINT", VAR_DIR / "audit-checkpoint.json")
)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "onewindow.core",
    "onewindow.halls",
    "onewindow.accounts",
    "onewindow.workdays",
    "onewindow.training",
    "onewindow.audit",
    "onewindow.catalogue",
    "onewindow.cases",
    "onewindow.floor",
    "onewindow.floorstats",
    "onewindow.supervision",
    "onewindow.ratings",
    "onewindow.followups",
    "onewindow.complaints",
    "onewindow.open311",
    "onewindow.conduct",
    "onewindow.reports",
    "onewindow.insight",
    "onewindow.meetings",
    "onewindow.bulletins",
    "onewindow.assessment",
    "onewindow.portal",
    "onewindow.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onewindow.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "onewindow.accounts.middleware.InactivityTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees a view's exception first: a lost database or a full disk is a
    # translated 503 page (core/faults.py), not a traceback.
    "onewindow.core.faults.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onewindow.core.context_processors.branding",
                "onewindow.core.context_processors.staff_navigation",
            ],
            "builtins": ["onewindow.core.templatetags.ow"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, set up so that the web processes and the worker can share
    # the file: WAL lets readers go on while one connection writes; IMMEDIATE transactions
    # take the write lock when they begin, so a second writer waits (up to "timeout"
    # seconds, SQLite's busy timeout) instead of failing with "database is locked" half-way
    # through its transaction. The file is read through a memory map (up to 1 GiB).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=1073741824;"
        ),
    }

# Per process: the rendered answers of the public status page (cases.public_views) and
# Django's own small caches.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["onewindow.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:staff_home"
LOGOUT_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "onewindow.accounts.validators.CharacterClassValidator"},
]

# Sign-in safety: after LOGIN_MAX_FAILURES failed attempts the account is locked for
# LOGIN_LOCKOUT_MINUTES; a session ends after SESSION_IDLE_MINUTES without a request.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT_MINUTES = 15
# Whatever the account, LOGIN_ADDRESS_MAX_FAILURES failed attempts from one client address
# within LOGIN_ADDRESS_WINDOW_MINUTES pause sign-in from it for LOGIN_ADDRESS_LOCKOUT_MINUTES
# (counted in the cache LOGIN_LIMIT_CACHE; with the default per-process cache each web
# process counts on its own, so configure a shared cache there to hold the limit exactly).
# Several windows of a hall often share one address: the limit is well above one clerk's
# typing mistakes.
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 20, minimum=1)
LOGIN_ADDRESS_WINDOW_MINUTES = env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15, minimum=1)
LOGIN_ADDRESS_LOCKOUT_MINUTES = env_int("LOGIN_ADDRESS_LOCKOUT_MINUTES", 15, minimum=1)
LOGIN_LIMIT_CACHE = "default"
# API tokens last this many days from their creation; then they are refused (401) and a
# new one must be created.
ONEWINDOW_API_TOKEN_DAYS = env_int("ONEWINDOW_API_TOKEN_DAYS", 90, minimum=1)
# The proxies in front of the service that append the client's address to X-Forwarded-For
# (the TLS proxy: 1). The client address (rate limits, audit log) is taken from that header
# only through them (core.http.client_address); 0 ignores the header.
ONEWINDOW_TRUSTED_PROXIES = env_int("ONEWINDOW_TRUSTED_PROXIES", 0)
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# English dates in one format (onewindow/core/formats/en); Chinese keeps Django's own.
FORMAT_MODULE_PATH = ["onewindow.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Uploads: scans of application materials. Larger or other types are refused with a message.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_ALLOWED_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest JSON body the API reads (413 beyond it; the largest real one, an exchange
# event, is a few kilobytes).
ONEWINDOW_API_MAX_BODY_BYTES = int(os.environ.get("ONEWINDOW_API_MAX_BODY_BYTES", str(256 * 1024)))

# Branding (统一形象设计): one look for every hall; the city is configurable.
ONEWINDOW_CITY_NAME = os.environ.get("ONEWINDOW_CITY_NAME", "张家港市")
ONEWINDOW_CITY_NAME_EN = os.environ.get("ONEWINDOW_CITY_NAME_EN", "Zhangjiagang")
ONEWINDOW_EMBLEM = os.environ.get("ONEWINDOW_EMBLEM", "onewindow/emblem.svg")
ONEWINDOW_PUBLIC_BASE_URL = os.environ.get("ONEWINDOW_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Periodic jobs of the background worker: (dotted path, interval in seconds).
ONEWINDOW_WORKER_JOBS = [
    ("onewindow.workdays.jobs.check_calendar_coverage", 3600),
    ("onewindow.cases.jobs.refresh_provisional_deadlines", 3600),
    ("onewindow.supervision.jobs.scan_alerts", 15),
    ("onewindow.followups.jobs.open_missing_followups", 3600),
    ("onewindow.audit.jobs.write_checkpoint", 300),
    ("onewindow.floor.jobs.record_appointment_no_shows", 300),
    ("onewindow.cases.tally.close_months", 3600),
]
