"""MATIS settings: one module, configured by ``MATIS_*`` environment variables.

This is the only module that reads the environment (through the typed
readers of :mod:`matis.environment`); every other module reads
``django.conf.settings``. Every variable is listed, with its default, in the
table of docs/admin-guide.md ("Configuration").

``MATIS_ENV`` selects the profile: ``production`` (default), ``demo`` (set by
``matis demo``) or ``test`` (set by the pytest plugin). Production refuses to
start without a secret key or with debugging on; secrets that only some
features need (case-data keys, exchange credentials) are read here too but
refused where they are used, so an instance that never uses a feature needs
no secret for it.
"""

from __future__ import annotations

import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from matis.environment import env_flag, env_float, env_int, env_list, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent

ENV = env_str("MATIS_ENV", "production").lower()
if ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"MATIS_ENV must be production, demo or test, not {ENV!r}")
IS_PRODUCTION = ENV == "production"

if ENV == "test" and not env_str("MATIS_HOME"):
    MATIS_HOME = Path(tempfile.mkdtemp(prefix="matis-test-home-"))
else:
    MATIS_HOME = env_path("MATIS_HOME") or Path.home() / ".matis"
MATIS_ROLE = env_str("MATIS_ROLE", "national").lower()
if MATIS_ROLE not in {"national", "regional"}:
    raise ImproperlyConfigured(f"MATIS_ROLE must be national or regional, not {MATIS_ROLE!r}")
MATIS_COUNTRY = env_str("MATIS_COUNTRY").upper() or None


# Django's own deploy check (security.W009) asks for the same: a key shorter than
# this, or made of a handful of characters, can be guessed or brute-forced.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 10


def _secret_key() -> str:
    """Read the secret key; fail loudly in production, keep a generated one for demo/test."""
    key = env_str("MATIS_SECRET_KEY")
    if (
        key
        and IS_PRODUCTION
        and (len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_DISTINCT)
    ):
        raise ImproperlyConfigured(
            f"MATIS_SECRET_KEY is too weak: use at least {SECRET_KEY_MIN_LENGTH} characters "
            f"with at least {SECRET_KEY_MIN_DISTINCT} different ones, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    if key:
        return key
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "MATIS_SECRET_KEY is not set. Production refuses to start without a secret key."
        )
    if ENV == "test":
        return secrets.token_urlsafe(50)
    key_file = MATIS_HOME / "secret_key"
    if not key_file.exists():
        MATIS_HOME.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_flag("MATIS_DEBUG", default=False)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("MATIS_DEBUG is on. Production refuses to start in debug mode.")

ALLOWED_HOSTS = env_list("MATIS_ALLOWED_HOSTS", "127.0.0.1,localhost")
if ENV == "test":
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = env_list("MATIS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "matis.common",
    "matis.access",
    "matis.inbox",
    "matis.plans",
    "matis.official_statistics",
    "matis.monitoring",
    "matis.reports",
    "matis.cases",
    "matis.offline",
    "matis.intake",
    "matis.registers",
    "matis.analytics",
    "matis.apiclients",
    "matis.returns",
    "matis.justice",
    "matis.exchange",
    "matis.cooperation",
    "matis.ops",
    "matis.publication",
]

MIDDLEWARE = [
    "matis.common.middleware.RequestIdMiddleware",
    "matis.common.metrics.RequestMetricsMiddleware",
    "matis.common.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "matis.common.middleware.SessionTimeoutMiddleware",
    "matis.access.middleware.AccountRequirementsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "matis.apiclients.middleware.ApiClientAuditMiddleware",
]

ROOT_URLCONF = "matis.urls"
WSGI_APPLICATION = "matis.wsgi.application"
ASGI_APPLICATION = "matis.asgi.application"

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
                "matis.common.context_processors.matis",
            ],
            "builtins": ["matis.common.templatetags.matis"],
        },
    }
]

# --- database -------------------------------------------------------------
if ENV == "test":
    # Tests never touch the configured database: their own SQLite file, or
    # MATIS_TEST_DATABASE_URL (e.g. a local PostgreSQL) when it is set.
    _database_url = env_str("MATIS_TEST_DATABASE_URL") or f"sqlite:///{MATIS_HOME / 't.sqlite3'}"
else:
    _database_url = env_str("MATIS_DATABASE_URL") or f"sqlite:///{MATIS_HOME / 'matis.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Writers wait for each other instead of failing with "database is locked":
    # every transaction begins IMMEDIATE (takes the write lock at BEGIN, where
    # SQLite honours the busy timeout; a deferred one that reads first and
    # writes later fails at once when another writer got in between) and waits
    # up to MATIS_SQLITE_TIMEOUT seconds for it. A wait longer than that is
    # answered 503 "busy, try again" (matis.common.errors), not 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("MATIS_SQLITE_TIMEOUT", 30),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    if ENV == "test":
        DATABASES["default"]["OPTIONS"].pop("init_command")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication and security -------------------------------------------
AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Password policy: Django's validators; the minimum length is MATIS_PASSWORD_MIN_LENGTH.
PASSWORD_MIN_LENGTH = env_int("MATIS_PASSWORD_MIN_LENGTH", 12)
if PASSWORD_MIN_LENGTH < 8:
    raise ImproperlyConfigured("MATIS_PASSWORD_MIN_LENGTH must be at least 8.")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password link (reset or invitation) works once, for MATIS_PASSWORD_LINK_HOURS.
PASSWORD_RESET_TIMEOUT = env_int("MATIS_PASSWORD_LINK_HOURS", 24) * 3600
# Two-factor sign-in (matis.access.twofactor): required for every role that can read
# case data, justice records or exchange alerts, and for administrators, when
# MATIS_REQUIRE_2FA is on (default: on in production, off in the demo and tests).
MATIS_REQUIRE_2FA = env_flag("MATIS_REQUIRE_2FA", default=IS_PRODUCTION)
OTP_TOTP_ISSUER = env_str("MATIS_2FA_ISSUER", "MATIS")
OTP_TOTP_THROTTLE_FACTOR = 1
MATIS_RECOVERY_CODES = 10
LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "home"

# Single sign-on with OpenID Connect (matis.access.oidc): off unless the client id,
# secret and the provider's endpoints are all set. Only existing MATIS accounts sign
# in (verified e-mail, case-insensitive); MATIS's second factor is still asked unless
# the ID token's ``amr`` claim holds MATIS_OIDC_MFA_AMR.
MATIS_OIDC_ISSUER = env_str("MATIS_OIDC_ISSUER")
MATIS_OIDC_PROVIDER_NAME = env_str("MATIS_OIDC_PROVIDER_NAME", "single sign-on")
MATIS_OIDC_MFA_AMR = env_str("MATIS_OIDC_MFA_AMR", "mfa")
OIDC_RP_CLIENT_ID = env_str("MATIS_OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("MATIS_OIDC_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("MATIS_OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("MATIS_OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("MATIS_OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("MATIS_OIDC_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("MATIS_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email"
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "access:login"
MATIS_OIDC_ENABLED = bool(
    OIDC_RP_CLIENT_ID
    and OIDC_RP_CLIENT_SECRET
    and OIDC_OP_AUTHORIZATION_ENDPOINT
    and OIDC_OP_TOKEN_ENDPOINT
    and OIDC_OP_USER_ENDPOINT
    and OIDC_OP_JWKS_ENDPOINT
)
if MATIS_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("matis.access.oidc.MatisOIDCBackend")
LOGOUT_REDIRECT_URL = "access:login"

# Sign-in throttling (matis.access.lockout, on django-axes): after
# MATIS_LOGIN_FAILURE_LIMIT failures in a row an account waits, from any address,
# MATIS_LOGIN_DELAY_MINUTES, doubled with each further failure up to
# MATIS_LOGIN_DELAY_MAX_MINUTES; MATIS_LOGIN_ADDRESS_LIMIT failures from one
# address within MATIS_LOGIN_ADDRESS_WINDOW_MINUTES block that address.
AXES_FAILURE_LIMIT = env_int("MATIS_LOGIN_FAILURE_LIMIT", 5)
MATIS_LOGIN_DELAY_FIRST = timedelta(minutes=env_int("MATIS_LOGIN_DELAY_MINUTES", 1))
MATIS_LOGIN_DELAY_MAX = timedelta(minutes=env_int("MATIS_LOGIN_DELAY_MAX_MINUTES", 30))
MATIS_LOGIN_ADDRESS_LIMIT = env_int("MATIS_LOGIN_ADDRESS_LIMIT", 30)
MATIS_LOGIN_ADDRESS_WINDOW = timedelta(minutes=env_int("MATIS_LOGIN_ADDRESS_WINDOW_MINUTES", 15))
MATIS_LOGIN_FAILURE_MEMORY = timedelta(
    hours=24
)  # a streak is forgotten a day after its last failure
AXES_HANDLER = "matis.access.lockout.LoginThrottleHandler"
AXES_COOLOFF_TIME = "matis.access.lockout.login_wait"  # the wait this request faces
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # account, and address (separately)
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "matis.access.lockout.login_account"
# REMOTE_ADDR only: `matis serve` sets it from X-Forwarded-For for the trusted
# proxy alone; a header read here could be forged by any client.
AXES_CLIENT_IP_CALLABLE = "matis.access.lockout.client_address"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_IPWARE_PROXY_COUNT = None
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: the address limit counts them
# A guess made while waiting is refused unchecked and does not lengthen the wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "access/locked_out.html"
AXES_LOCKOUT_CALLABLE = "matis.access.lockout.lockout_response"  # says how long to wait
AXES_VERBOSE = False

# Only a keyed hash of each session cookie is stored: a database copy cannot be replayed.
SESSION_ENGINE = "matis.access.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends after MATIS_SESSION_IDLE_MINUTES without a request, after
# MATIS_SESSION_MAX_HOURS in any case, and when the browser closes (no
# persistent cookie on a shared computer).
SESSION_IDLE_SECONDS = env_int("MATIS_SESSION_IDLE_MINUTES", 30) * 60
SESSION_MAX_SECONDS = env_int("MATIS_SESSION_MAX_HOURS", 8) * 60 * 60
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Cookies are marked Secure wherever MATIS runs behind TLS (production).
# The demo serves plain HTTP on 127.0.0.1 only.
_INSECURE_HTTP = env_flag("MATIS_INSECURE_HTTP")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = IS_PRODUCTION and not _INSECURE_HTTP
# Behind a TLS proxy, `matis serve` (waitress) believes X-Forwarded-Proto and
# X-Forwarded-For only from the addresses in MATIS_TRUSTED_PROXY and strips them
# from anyone else, so Django sees the scheme and client address the proxy saw.
# Django's SECURE_PROXY_SSL_HEADER is deliberately not set: it would believe the
# header from any client that reaches the server directly.
TRUSTED_PROXIES = env_list("MATIS_TRUSTED_PROXY")
TRUSTED_PROXY_COUNT = env_int("MATIS_TRUSTED_PROXY_COUNT", 1)
if IS_PRODUCTION and not _INSECURE_HTTP:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = env_flag("MATIS_SSL_REDIRECT", default=True)
    # Prometheus and health checks ask the server itself (plain HTTP), not through the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^metrics/$", r"^health/$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# `matis check` runs `check --deploy --fail-level WARNING`; these findings are not
# deployment problems: drf_spectacular.W001 is about the names of enums in the API
# schema; HSTS for subdomains (W005) and browser preloading (W021) are decisions
# about a government's whole domain, which one application cannot make for it.
SILENCED_SYSTEM_CHECKS = ["drf_spectacular.W001", "security.W005", "security.W021"]

# --- internationalisation ----------------------------------------------------
LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ພາສາລາວ"})
LANG_INFO["km"]["name_local"] = "ភាសាខ្មែរ"
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("th", _("Thai")),
    ("km", _("Khmer")),
    ("lo", _("Lao")),
    ("my", _("Burmese")),
    ("zh-hans", _("Chinese (simplified)")),
    ("vi", _("Vietnamese")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["matis.formats"]  # Lao and Burmese date formats (Django has none)
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("MATIS_TIME_ZONE", "Asia/Bangkok")
LANGUAGE_COOKIE_NAME = "matis_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- static files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = MATIS_HOME / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MATIS_HOME / "files", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded files (evidence, attachments) live outside the web root and are
# served only through views that check access.
MEDIA_ROOT = MATIS_HOME / "files"
# Only the account MATIS runs as may read what it stores (Django's default is 0644).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Upload size limits apply while the body streams in, not after it has arrived:
# the first handler stops keeping a file past its view's limit (the evidence
# limit, or the import page's own), files above FILE_UPLOAD_MAX_MEMORY_SIZE go
# to a temporary file rather than memory, and a non-file body larger than
# DATA_UPLOAD_MAX_MEMORY_SIZE is refused (Django's defaults, stated here).
FILE_UPLOAD_HANDLERS = [
    "matis.common.files.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body `matis serve` (waitress) reads at all; each view then
# applies its own, smaller limit (the hub inbox reads its body itself, up to the
# hub's 20 MiB item limit; the statistics import takes files up to 200 MiB).
MATIS_MAX_REQUEST_BYTES = env_int("MATIS_MAX_REQUEST_BYTES", 256 * 1024 * 1024)
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
if not IS_PRODUCTION:
    MATIS_HOME.mkdir(mode=0o700, parents=True, exist_ok=True)
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
WHITENOISE_AUTOREFRESH = False

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # machine clients: Authorization: Bearer matis_... (docs/admin-guide.md, API clients)
        "matis.apiclients.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "matis.apiclients.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "matis.common.api.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "matis.apiclients.throttling.ApiClientRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("MATIS_API_RATE_ANON", "60/minute"),
        "user": env_str("MATIS_API_RATE_USER", "6000/hour"),
        # each machine client, unless the client has its own rate
        "api_client": env_str("MATIS_API_RATE_CLIENT", "600/minute"),
    },
}
# The public site (/public/, /sdmx/rest/, matis.publication): requests per address,
# and how long a page or file stays cached (a new release shows at once).
MATIS_PUBLIC_RATE = env_str("MATIS_PUBLIC_RATE", "300/minute")
MATIS_PUBLIC_CACHE_SECONDS = env_int("MATIS_PUBLIC_CACHE_SECONDS", 60)
SPECTACULAR_SETTINGS = {
    "TITLE": "MATIS API",
    "DESCRIPTION": "Mekong Anti-Trafficking Information System - read and exchange API.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- background jobs -----------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

_LOG_LEVEL = env_str("MATIS_LOG_LEVEL")

# The hub's own key for the countries' exchange secrets (separate from SECRET_KEY).
MATIS_EXCHANGE_VAULT_KEY = env_str("MATIS_EXCHANGE_VAULT_KEY")

# Jobs still "running" with no progress for this long when `matis serve` starts
# were left by a worker that died: they are marked failed so nobody waits for them.
MATIS_STALE_JOB_MINUTES = env_int("MATIS_STALE_JOB_MINUTES", 30)

# --- logging -------------------------------------------------------------------
# MATIS_LOG_FORMAT=json writes one JSON object a line (python-json-logger) for a
# log collector; "plain" (default) is for people reading a terminal. Both carry
# the request id. ``matis.request`` logs one line per request (method, route,
# status, duration): on in production, quiet in the demo and the tests unless
# MATIS_LOG_LEVEL asks for it.
MATIS_LOG_FORMAT = env_str("MATIS_LOG_FORMAT", "plain").lower()
if MATIS_LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"MATIS_LOG_FORMAT must be plain or json, not {MATIS_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "matis.common.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": MATIS_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": _LOG_LEVEL or "WARNING"},
    "loggers": {
        "matis": {"level": _LOG_LEVEL or "INFO"},
        "matis.request": {"level": _LOG_LEVEL or ("INFO" if IS_PRODUCTION else "WARNING")},
    },
}

# /metrics/ (Prometheus): with a token, only requests that bring it
# ("Authorization: Bearer <token>"); without one, only loopback callers.
MATIS_METRICS_TOKEN = env_str("MATIS_METRICS_TOKEN")

# --- MATIS features --------------------------------------------------------------
# Read once here; the modules that use them read ``django.conf.settings`` (tests
# override these with the ``settings`` fixture). Secrets without a value are
# "": the feature that needs one refuses to run in production when it is used.

# Cases: the case-data key ring (docs/data-protection.md). Base64 data keys,
# newest first, and the blind-index key; or a key file. The demo and the tests
# generate MATIS_HOME/case-keys; production never generates keys.
MATIS_CASE_KEYS = env_list("MATIS_CASE_KEYS")
MATIS_CASE_INDEX_KEY = env_str("MATIS_CASE_INDEX_KEY")
MATIS_CASE_KEY_FILE = env_path("MATIS_CASE_KEY_FILE")
MATIS_CASE_RETENTION_YEARS = env_int("MATIS_CASE_RETENTION_YEARS", 10)
MATIS_BREAK_GLASS_HOURS = env_int("MATIS_BREAK_GLASS_HOURS", 4)
MATIS_CASE_SCREENING_FILE = env_path("MATIS_CASE_SCREENING_FILE")  # None: the bundled YAML
# Days unsynced offline work may stay on a device before the device deletes it.
MATIS_OFFLINE_MAX_DAYS = env_int("MATIS_OFFLINE_MAX_DAYS", 7)

# Returns and reintegration.
MATIS_RETURNS_PENDING_DAYS = env_int("MATIS_RETURNS_PENDING_DAYS", 90)
MATIS_RETURNS_INSTRUMENT_FILE = env_path("MATIS_RETURNS_INSTRUMENT_FILE")  # None: bundled

# Uploaded evidence files (monitoring reports, registers): the size cap in bytes.
MATIS_EVIDENCE_MAX_BYTES = env_int("MATIS_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

# Disclosure control: one place for every threshold that keeps a person from
# being singled out in what leaves MATIS.
# - min_cell: published analysis tables show counts below it as "<min_cell"
#   (11, as the CTDC uses; the analysis pages say "below 11", so changing it
#   needs new page texts), totals included; numbers hidden only so that a
#   small one cannot be worked out show as "x".
# - protection: every hidden number of a published table can only be
#   narrowed to a range at least this wide (docs/methods/disclosure.md).
# - k_anonymity: every combination of quasi-identifiers in a de-identified
#   release to the hub occurs at least k times (MATIS_EXCHANGE_K).
# - l_diversity: within every group of records that look alike on what an
#   outsider may know (sex, age band, citizenship, year, country of
#   exploitation), each sensitive field (form of exploitation, forced
#   criminality, trafficking status) takes at least l values (MATIS_EXCHANGE_L;
#   distinct l-diversity, Machanavajjhala et al. 2007).
# - max_suppression: the share of records k-anonymisation (and l-diversity)
#   may drop instead of generalising further.
# Official statistics keep the threshold each government published ("<5"):
# MATIS never sets that one.
MATIS_DISCLOSURE = {
    "min_cell": 11,
    "protection": 5,
    # controlled rounding, the alternative a publisher may choose for an analysis
    "rounding_base": 5,
    "k_anonymity": env_int("MATIS_EXCHANGE_K", 11),
    "l_diversity": env_int("MATIS_EXCHANGE_L", 2),
    "max_suppression": 0.1,
}
# The smallest count the public site (matis.publication) shows as it is; smaller
# ones become "<N>" with complementary cells withheld. Defaults to min_cell, the
# rule of every other release; a government that publishes from a lower
# threshold (e.g. 5, as in UNODC's GLOTIP tables) sets it here.
MATIS_PUBLICATION_MIN_CELL = env_int("MATIS_PUBLICATION_MIN_CELL", MATIS_DISCLOSURE["min_cell"])

# Exchange (docs/exchange.md). National instance: the hub and this country's
# credential there; both sides: the linkage secret the governments share.
MATIS_EXCHANGE_HUB_URL = env_str("MATIS_EXCHANGE_HUB_URL")
MATIS_EXCHANGE_KEY_ID = env_str("MATIS_EXCHANGE_KEY_ID")
MATIS_EXCHANGE_SECRET = env_str("MATIS_EXCHANGE_SECRET")
MATIS_EXCHANGE_KEY_FILE = env_path("MATIS_EXCHANGE_KEY_FILE")
MATIS_LINKAGE_SECRET = env_str("MATIS_LINKAGE_SECRET")
MATIS_LINKAGE_SECRET_FILE = env_path("MATIS_LINKAGE_SECRET_FILE")
MATIS_EXCHANGE_REPLAY_SECONDS = env_float("MATIS_EXCHANGE_REPLAY_SECONDS", 300)
MATIS_EXCHANGE_BACKOFF_BASE = env_float("MATIS_EXCHANGE_BACKOFF_BASE", 30.0)
MATIS_EXCHANGE_BACKOFF_MAX = env_float("MATIS_EXCHANGE_BACKOFF_MAX", 6 * 3600.0)
# An item the hub answers with a server error this many times in a row is parked
# (the administrators are emailed; the rest of the queue goes on).
MATIS_EXCHANGE_MAX_FAILURES = env_int("MATIS_EXCHANGE_MAX_FAILURES", 8)
# A pusher's claim on the item it is sending; must outlast one HTTP call (30 s timeout).
MATIS_EXCHANGE_LEASE_SECONDS = env_float("MATIS_EXCHANGE_LEASE_SECONDS", 600)
# PRO2: recording a placement of a foreign national in detention or a closed shelter
# notifies the country of nationality at once (0: a colleague sends it from the
# Detention notices page).
MATIS_DETENTION_AUTO_NOTIFY = env_flag("MATIS_DETENTION_AUTO_NOTIFY", True)
# Alerts are raised from the Dice threshold calibrated for this precision
# (docs/methods/linkage.md); MATIS_LINKAGE_THRESHOLD, when set, overrides it.
MATIS_LINKAGE_MIN_PRECISION = env_float("MATIS_LINKAGE_MIN_PRECISION", 0.95)
MATIS_LINKAGE_THRESHOLD = env_float("MATIS_LINKAGE_THRESHOLD", None)
MATIS_LINKAGE_BACKEND = env_str("MATIS_LINKAGE_BACKEND", "duckdb")


# Mail (password links, invitations, messages to administrators). MATIS_EMAIL_URL
# names the backend: smtp://user:password@host:587/?tls=1 (STARTTLS),
# smtps://user:password@host:465/ (TLS from the start), file:///path/to/folder,
# console: (standard output). Without it, production sends through the SMTP relay
# MATIS_EMAIL_HOST:MATIS_EMAIL_PORT (MATIS_EMAIL_TLS, MATIS_EMAIL_USER,
# MATIS_EMAIL_PASSWORD); the demo and tests write each message as a file to
# MATIS_HOME/mail (the folder `matis demo` prints).
def email_settings(url: str, *, home: Path) -> dict:
    """The Django EMAIL_* settings for a MATIS_EMAIL_URL value (see above)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        folder = unquote(parts.path) or str(home / "mail")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": Path(folder),
        }
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"MATIS_EMAIL_URL names no host: {url.split('@')[-1]!r}")
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        truthy = {"1", "true", "yes", "on"}
        try:
            port = parts.port or (465 if scheme == "smtps" else 25)
        except ValueError as exc:
            raise ImproperlyConfigured("MATIS_EMAIL_URL has a port that is not a number.") from exc
        ssl = scheme == "smtps" or query.get("ssl") in truthy
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": ssl,
            "EMAIL_USE_TLS": not ssl and query.get("tls") in truthy,
        }
    raise ImproperlyConfigured(
        f"MATIS_EMAIL_URL must start with smtp://, smtps://, file:// or console:, not {scheme!r}"
    )


EMAIL_HOST = env_str("MATIS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MATIS_EMAIL_PORT", 25)
EMAIL_USE_TLS = env_flag("MATIS_EMAIL_TLS")
EMAIL_HOST_USER = env_str("MATIS_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("MATIS_EMAIL_PASSWORD")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env_str("MATIS_EMAIL_FROM", "matis@localhost")
if not IS_PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = MATIS_HOME / "mail"
if env_str("MATIS_EMAIL_URL"):
    globals().update(email_settings(env_str("MATIS_EMAIL_URL"), home=MATIS_HOME))

# The address users reach MATIS at (https://matis.example.org), for the links in
# inbox mails; empty: the links are paths only.
MATIS_SITE_URL = env_str("MATIS_SITE_URL", "")

# The hub's matching job on Spark (MATIS_LINKAGE_BACKEND=spark): where it runs, with
# what resources, and where its Parquet inputs and outputs go (a shared file system
# when the master is a cluster).
MATIS_SPARK_MASTER = env_str("MATIS_SPARK_MASTER", "local[*]")
MATIS_SPARK_EXECUTOR_MEMORY = env_str("MATIS_SPARK_EXECUTOR_MEMORY")
MATIS_SPARK_EXECUTOR_CORES = env_int("MATIS_SPARK_EXECUTOR_CORES", 0)
MATIS_SPARK_DRIVER_MEMORY = env_str("MATIS_SPARK_DRIVER_MEMORY")
MATIS_SPARK_PARTITIONS = env_int("MATIS_SPARK_PARTITIONS", 8)
MATIS_SPARK_WORKDIR = env_path("MATIS_SPARK_WORKDIR")
# The hub endpoints answer in this process too (the one-database demo).
MATIS_EXCHANGE_LOCAL_HUB = env_flag("MATIS_EXCHANGE_LOCAL_HUB", default=ENV == "demo")
