"""Settings, read from the environment only (see README: Configuration).

Development defaults let `make run` work with nothing set. With DEBUG=0 the secrets below have
no defaults and the process refuses to start without them.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-secret-key-change-me-0123456789")
else:
    # No defaults: a production process without its secrets must not start.
    SECRET_KEY = env.str("SECRET_KEY")

# The platform's own key-custodian key (X25519, 32 bytes, base64). It opens only the platform's
# share of each tender key, and the worker uses it only after the deadline; alone it opens nothing
# (every tender needs k ≥ 2 shares). No default: unset, the platform is simply not a custodian.
# SEALING_DEMO_KEY=1 (the local demo only, refused with DEBUG=0) uses a fixed, public demo key.
SEALING_DEMO_KEY = env.bool("SEALING_DEMO_KEY", default=False)
if SEALING_DEMO_KEY and not DEBUG:
    raise ImproperlyConfigured("SEALING_DEMO_KEY is for the local demo only and cannot be set with DEBUG=0.")
PLATFORM_CUSTODIAN_KEY = env.str(
    "PLATFORM_CUSTODIAN_KEY", default="ZGVtby1vbmx5LXBsYXRmb3JtLWN1c3RvZGlhbi1rZXk=" if SEALING_DEMO_KEY else ""
)
# How long after the opening time a missing quorum of custodians is escalated to the entity's
# officials and the auditors (and shown on the tender page).
OPENING_QUORUM_GRACE = timedelta(minutes=env.int("OPENING_QUORUM_GRACE_MINUTES", default=60))
# Opening decrypts and stores bids in batches of this many (bidding.services.opening), and at most
# this many bytes of ciphertext: progress is written once per batch, memory stays bounded.
OPENING_BATCH_BIDS = env.int("OPENING_BATCH_BIDS", default=500)
OPENING_BATCH_BYTES = env.int("OPENING_BATCH_BYTES", default=64 * 1024 * 1024)
# Two-envelope tenders: how long bidders may complain about the published technical results before
# the compliant bids' price envelopes open (docs/architecture.md §6).
TECHNICAL_COMPLAINT_WINDOW = timedelta(minutes=env.int("TECHNICAL_COMPLAINT_WINDOW_MINUTES", default=24 * 60))
# How long a bidder has to supply a missing or defective document it was asked for.
CURE_WINDOW = timedelta(minutes=env.int("CURE_WINDOW_MINUTES", default=24 * 60))

# Decided once from the environment (the test runner flips DEBUG at run time, this stays).
DEMO_DATA_ALLOWED = DEBUG

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "procurement",
    "suppliers",
    "tenders",
    "bidding",
    "contracts",
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "procurement.middleware.QueryParameterGuardMiddleware",
    "procurement.middleware.RequireMFAMiddleware",
    "procurement.middleware.PortalNotFoundPageMiddleware",
    # After RequireMFA has loaded the session and the user from the primary; only the view's reads
    # of public read-only pages may go to a replica (DATABASE_REPLICA_URL).
    "procurement.dbrouter.ReplicaMiddleware",
    # Last, so its process_exception sees a view's lost database first: 503 with Retry-After.
    "procurement.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "procurement.urls"
WSGI_APPLICATION = "procurement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "procurement.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/procurement")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection that died (PostgreSQL restarted, failed over) is replaced at the next request's
# first query: the portal recovers by itself. Meanwhile requests answer 503 with this Retry-After.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_UNAVAILABLE_RETRY_AFTER = env.int("DATABASE_UNAVAILABLE_RETRY_AFTER", default=10)
# A PostgreSQL streaming replica for public read-only pages and search (procurement/dbrouter.py).
# Unset, everything goes to the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["procurement.dbrouter.ReplicaRouter"]
# Public read-only paths whose GETs may read from the replica; a client that wrote is pinned to
# the primary for REPLICA_PIN_SECONDS (read-your-writes).
REPLICA_READ_PREFIXES = env.list(
    "REPLICA_READ_PREFIXES",
    default=["/tenders/", "/opendata/", "/transparency/", "/api/v1/tenders/", "/api/v1/ocds/", "/api/v1/transparency/"],
)
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Redis, falling back to the process's memory while Redis is unreachable (procurement/cache.py).
        "BACKEND": "procurement.cache.FailoverRedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="procurement"),
        # A cache outage must degrade, not hang, the request.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "procurement.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Filter lists offer "All" rather than django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All (no filter)")
LOGIN_REDIRECT_URL = "dashboard"  # each role's next actions

# allauth: email is the login; mail must be verified before the account is used.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default="[KONEPS] ")
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/m/ip", "reset_password": "20/m/ip,5/m/key"}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="KONEPS Portal")
# Officials, evaluators, auditors and platform admins must enrol in MFA before acting.
# Only the local demo may relax this (refused below when DEBUG=0).
MFA_DEMO_RELAX = env.bool("MFA_DEMO_RELAX", default=False)
if MFA_DEMO_RELAX and not DEBUG:
    raise ImproperlyConfigured("MFA_DEMO_RELAX is for the local demo only and cannot be set with DEBUG=0.")

# --- transparency log -----------------------------------------------------------------------------
# The Ed25519 seed (32 bytes, base64) that signs tree heads. No default: only the local demo may use
# the published demo key below (TRANSPARENCY_DEMO_KEY=1, refused when DEBUG=0); without a key the
# log still integrates entries but signs no heads.
TRANSPARENCY_DEMO_KEY = env.bool("TRANSPARENCY_DEMO_KEY", default=False)
if TRANSPARENCY_DEMO_KEY and not DEBUG:
    raise ImproperlyConfigured("TRANSPARENCY_DEMO_KEY is for the local demo only and cannot be set with DEBUG=0.")
TRANSPARENCY_SIGNING_KEY = env.str(
    "TRANSPARENCY_SIGNING_KEY", default="ZGVtby1vbmx5LXRyYW5zcGFyZW5jeS1sb2cta2V5ISE=" if TRANSPARENCY_DEMO_KEY else ""
)
if not DEBUG and not TRANSPARENCY_SIGNING_KEY:
    raise ImproperlyConfigured("TRANSPARENCY_SIGNING_KEY is required when DEBUG=0.")
# A new head is signed whenever the tree has grown; the beat asks every this many seconds.
TRANSPARENCY_HEAD_INTERVAL = env.int("TRANSPARENCY_HEAD_INTERVAL", default=60)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F821 - set by the line above
    # Development mail as INFO log records: printed to stdout, the Celery worker logs it as WARNING.
    EMAIL_BACKEND = "procurement.mail.LogEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="KONEPS Portal <no-reply@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["procurement.formats"]
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": env.str("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# S3-compatible storage for documents in production (FILE_STORAGE=storages.backends.s3.S3Storage).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# JSON bodies of the API: room for one largest document in base64 (4/3 of its size) and the rest.
# Bid documents are held in memory only (never spooled to disk): at most this much per request, and
# this much across all the requests one process serves at once (beyond it: 503 with Retry-After).
# A submission peaks at about 9 times its documents' size (bench/upload_memory.py; README).
BID_UPLOAD_MAX_REQUEST_BYTES = env.int("BID_UPLOAD_MAX_REQUEST_BYTES", default=3 * UPLOAD_MAX_BYTES)
UPLOAD_MEMORY_BUDGET_BYTES = env.int("UPLOAD_MEMORY_BUDGET_BYTES", default=4 * UPLOAD_MAX_BYTES)
# Uploaded ZIP containers (and the Office formats, which are ZIPs) are opened to check what they hold.
UPLOAD_ARCHIVE_MAX_DEPTH = env.int("UPLOAD_ARCHIVE_MAX_DEPTH", default=3)
UPLOAD_ARCHIVE_MAX_ENTRIES = env.int("UPLOAD_ARCHIVE_MAX_ENTRIES", default=2000)
UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES = env.int("UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES", default=10 * UPLOAD_MAX_BYTES)
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=2 * UPLOAD_MAX_BYTES)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

# How many reverse proxies in front of the portal append to X-Forwarded-For (the README's TLS proxy
# is 1). Everything that keys on the client's address (allauth's login rate limits, the API
# throttles) asks procurement.client_address, which reads that header's entry this many places
# from the end; with 0 it uses the connection's address and ignores the header, which a client can forge.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_ADAPTER = "procurement.client_address.AccountAdapter"

# Security headers. Production values are strict; development keeps plain HTTP working.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # libsodium (bid sealing, custodian keys) runs as WebAssembly: compiling it needs this, and
        # only this; no eval of JavaScript, no inline scripts.
        "script-src": ["'self'", "'wasm-unsafe-eval'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "procurement.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "procurement.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "procurement.client_address.AnonRateThrottle",
        "procurement.client_address.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="120/min"), "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KONEPS-style e-procurement portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from our own static files, so the docs work offline and under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`: name each enum after its model instead of a hash suffix.
    "ENUM_NAME_OVERRIDES": {
        "TenderStatusEnum": "tenders.models.Tender.Status",
        "BidStatusEnum": "bidding.models.Bid.Status",
        "SupplierStatusEnum": "suppliers.models.Supplier.Status",
        "AwardStatusEnum": "contracts.models.Award.Status",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "MilestoneStatusEnum": "contracts.models.Milestone.Status",
        "RegionEnum": "catalogue.models.Region",
    },
}

# Celery: JSON only, tasks idempotent; work that must not be lost is acked late.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up after one quick retry: a broker outage must not hold a request (a bid
# submission) for seconds; the outbox sweep delivers what could not be queued.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
# Anything a task prints is ordinary output, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Several beats may run (one per node): only the holder of a PostgreSQL advisory lock schedules.
CELERY_BEAT_SCHEDULER = "procurement.beat:LeaderScheduler"
WHITENOISE_USE_FINDERS = DEBUG
CELERY_BEAT_SCHEDULE = {
    "transparency-head": {
        "task": "procurement.tasks.transparency_publish_head",
        "schedule": timedelta(seconds=TRANSPARENCY_HEAD_INTERVAL),
        "options": {"expires": TRANSPARENCY_HEAD_INTERVAL},
    },
    "outbox-sweep": {"task": "procurement.tasks.outbox_sweep", "schedule": timedelta(seconds=30)},
    # Closes tenders at their deadline and opens them at the opening time (bidding.tasks).
    "tenders-sweep": {
        "task": "bidding.tasks.tenders_sweep",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 25},
    },
}
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# --- health history and outage postponement (docs/architecture.md §9) ---------------------------
# The probe records when the portal was unavailable or degraded (procurement.healthlog); a tender
# whose deadline falls in such an interval, or within OUTAGE_POSTPONE_WINDOW_MINUTES after it, is
# postponed by OUTAGE_POSTPONE_HOURS with a public notice (tenders.services.outages), once per
# outage, never after its deadline has passed. Intervals shorter than OUTAGE_MIN_SECONDS do not count.
HEALTH_PROBE_SECONDS = env.int("HEALTH_PROBE_SECONDS", default=30)
HEALTH_GAP_SECONDS = env.int("HEALTH_GAP_SECONDS", default=120)
HEALTH_DATABASE_SLOW_MS = env.int("HEALTH_DATABASE_SLOW_MS", default=2000)
OUTAGE_POSTPONE_ENABLED = env.bool("OUTAGE_POSTPONE_ENABLED", default=True)
OUTAGE_POSTPONE_WINDOW_MINUTES = env.int("OUTAGE_POSTPONE_WINDOW_MINUTES", default=120)
OUTAGE_MIN_SECONDS = env.int("OUTAGE_MIN_SECONDS", default=300)
OUTAGE_POSTPONE_HOURS = env.int("OUTAGE_POSTPONE_HOURS", default=24)
OUTAGE_POSTPONE_COMPONENTS = env.list("OUTAGE_POSTPONE_COMPONENTS", default=["unobserved", "database", "redis", "web"])
CELERY_BEAT_SCHEDULE["health-probe"] = {
    "task": "procurement.tasks.health_probe",
    "schedule": timedelta(seconds=HEALTH_PROBE_SECONDS),
    "options": {"expires": HEALTH_PROBE_SECONDS},
}
CELERY_BEAT_SCHEDULE["outage-postponements"] = {
    "task": "tenders.tasks.outage_postponements",
    "schedule": timedelta(seconds=HEALTH_PROBE_SECONDS),
    "options": {"expires": HEALTH_PROBE_SECONDS},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every PDF step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("django.db.backends", "weasyprint", "fontTools")},
}

# --- tenders -------------------------------------------------------------------------
# OCDS ocid = "<OCDS_PREFIX>-<reference>". Register a real prefix with the Open Contracting
# Partnership (they look like "ocds-213czf"); this placeholder is fine for development.
OCDS_PREFIX = env.str("OCDS_PREFIX", default="ocds-koneps")
# Minimum days between publication and the submission deadline, per method and category.
# Simplified from Korea's 국가계약법 시행령 §35 (7 days for ordinary goods/services/works notices;
# larger works and negotiated contracts need more, international tenders 40): operators adjust.
MIN_TENDER_PERIOD_DAYS = {
    "open": {"goods": 7, "services": 7, "works": 7},
    "restricted": {"goods": 5, "services": 5, "works": 7},
    "limited": {"goods": 3, "services": 3, "works": 3},
    # A catalogue order's second-stage competition (2단계경쟁): a short period among framework suppliers.
    "mini_competition": {"goods": 1, "services": 1, "works": 1},
}
# An amendment made less than this many days before the submission deadline must move the deadline
# so that at least this many days remain for bidders to react to it.
AMENDMENT_EXTENSION_DAYS = env.int("AMENDMENT_EXTENSION_DAYS", default=3)
# National defaults per evaluation method; each tender may override within the policy's limits.
EVALUATION_DEFAULTS = {
    "lowest_price": {},
    # 복수예비가격: 15 reserve prices within ±2% of the base price; each bidder picks 2; the 4 most
    # picked are averaged into the planned price; the lowest bid at or above floor_rate% of it wins.
    "floor_rate_reserve": {
        "floor_rate": "87.745",
        "reserve_range_pct": "2",
        "reserve_count": 15,
        "picks_per_bidder": 2,
        "picks_averaged": 4,
    },
    # 협상에 의한 계약: technical 80 / price 20; a bid needs 85% of the technical maximum to qualify.
    "best_value": {
        "technical_weight": 80,
        "price_weight": 20,
        "technical_threshold_pct": 85,
        "technical_criteria": [
            {"name": "Technical approach", "max_score": 40},
            {"name": "Experience and track record", "max_score": 20},
            {"name": "Staffing and management", "max_score": 20},
        ],
    },
}
# A subscription to a classification also matches tenders that share its first N code digits
# (CPV: division 2 digits + group 1, so 30213100 and 30231300 are both in group 302).
SUBSCRIPTION_MATCH_PREFIX = env.int("SUBSCRIPTION_MATCH_PREFIX", default=3)
TENDERS_PAGE_SIZE = 20
# Long public lists count exactly up to this many results and estimate above (procurement.pagination).
LIST_EXACT_COUNT_MAX = env.int("LIST_EXACT_COUNT_MAX", default=1000)
# Search ranks every match while PostgreSQL expects at most SEARCH_RANK_EXACT_MAX; beyond, only the
# newest SEARCH_RANK_WINDOW matches are ranked (procurement.search).
SEARCH_RANK_EXACT_MAX = env.int("SEARCH_RANK_EXACT_MAX", default=2000)
SEARCH_RANK_WINDOW = env.int("SEARCH_RANK_WINDOW", default=1000)
# ... and, for a window walked in an index's order (tenders: newest first), more than this share of
# the list (PostgreSQL's estimates of a search run about 2-3× high).
SEARCH_RANK_WALK_SHARE = env.float("SEARCH_RANK_WALK_SHARE", default=0.3)
# --- end tenders ---------------------------------------------------------------------------------

# --- suppliers -----------------------------------------------------------------------------------
# Business registration numbers by country (ISO 3166-1 alpha-2), checked after spaces and dashes are
# removed. Korea ("KR") is checked by its check digit (suppliers.validators.validate_korean_brn);
# "*" is the fallback for every other country.
REGISTRATION_NUMBER_PATTERNS = {
    "US": r"^\d{2}-?\d{7}$",  # Employer Identification Number (EIN)
    "GB": r"^(\d{8}|(SC|NI|OC|SO|NC|R0)\d{6})$",  # Companies House company number
    "JP": r"^\d{13}$",  # 法人番号 (corporate number)
    "VN": r"^\d{10}(\d{3})?$",  # Mã số thuế (tax code; 13 digits for branches)
    "CN": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",  # Unified social credit code
    "DE": r"^(HRA|HRB)\d{1,6}[A-Z]?$",  # Handelsregister number
    "*": r"^[A-Za-z0-9]{4,32}$",
}
# --- end suppliers -------------------------------------------------------------------------------

# --- contracts -------------------------------------------------------------------------
# Days between the award proposal reaching bidders and the award becoming final (complaints window).
STANDSTILL_DAYS = env.int("STANDSTILL_DAYS", default=7)
CELERY_BEAT_SCHEDULE["cures-sweep"] = {"task": "bidding.tasks.cures_sweep", "schedule": timedelta(seconds=60)}
CELERY_BEAT_SCHEDULE["awards-sweep"] = {"task": "contracts.tasks.awards_sweep", "schedule": timedelta(seconds=60)}
# The OCDS bulk file (opendata.tasks): the whole dataset, rebuilt every OCDS_BULK_HOURS hours.
CELERY_BEAT_SCHEDULE["opendata-bulk"] = {
    "task": "opendata.tasks.opendata_bulk_build",
    "schedule": timedelta(hours=env.int("OCDS_BULK_HOURS", default=24)),
}
# --- end contracts -------------------------------------------------------------------------------

# --- integrity (issue 11) ------------------------------------------------------------------------
INSTALLED_APPS += ["integrity"]
# Keys the hashes of a bidder's network address and browser fingerprint (never stored raw). No
# default outside development (DEBUG=1): a production process without it must not start.
if DEBUG:
    INTEGRITY_HASH_KEY = env.str("INTEGRITY_HASH_KEY", default="dev-only-integrity-hash-key")
else:
    INTEGRITY_HASH_KEY = env.str("INTEGRITY_HASH_KEY")
# Every red-flag rule's threshold (integrity/indicators/). INTEGRITY_THRESHOLDS_JSON overrides single
# values, e.g. '{"close_runner_up": {"max_gap_pct": "1.0"}}'.
INTEGRITY_THRESHOLDS = {
    "short_period": {"min_share": "1.2"},
    "single_bid": {"max_bids": 1},
    "repeat_single_bid_pair": {"min_awards": 3, "window_days": 730},
    "close_runner_up": {"max_gap_pct": "0.5"},
    "identical_prices": {"min_bids": 2},
    "fixed_price_ratio": {"min_tenders": 3, "max_spread_pct": "0.1"},
    "lowest_disqualified": {"min_lower_disqualified": 1},
    "all_but_winner_disqualified": {"min_disqualified": 1},
    "same_loser": {"min_losses": 3},
    "bid_rotation": {"min_tenders": 3, "min_members": 2},
    "award_concentration": {"min_awards": 5, "min_share_pct": "50", "window_days": 730},
    "spec_change_after_question": {"max_askers": 1},
    "retender_same_winner": {"window_days": 180},
    "same_network": {"min_bids": 2},
    "same_browser": {"min_bids": 2},
    "market_group": {"min_tenders": 10, "min_participation_pct": "50", "min_win_share_pct": "60"},
}
for _rule, _values in env.json("INTEGRITY_THRESHOLDS_JSON", default={}).items():
    INTEGRITY_THRESHOLDS.setdefault(_rule, {}).update(_values)
CELERY_BEAT_SCHEDULE["integrity-sweep"] = {
    "task": "integrity.tasks.integrity_sweep",
    "schedule": timedelta(seconds=60),
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["integrity-nightly"] = {
    "task": "integrity.tasks.integrity_nightly",
    # 18:00 UTC is 03:00 in Seoul, the quietest hour.
    "schedule": crontab(hour=18, minute=0),
}
# --- end integrity -------------------------------------------------------------------------------

# Joint bidding (공동수급) and bid securities (docs/architecture.md §10).
CONSORTIUM_MIN_SHARE_PCT = env.int("CONSORTIUM_MIN_SHARE_PCT", default=10)
CONSORTIUM_MAX_MEMBERS = env.int("CONSORTIUM_MAX_MEMBERS", default=5)
# The class that asks a guarantee's issuer whether it issued it (bidding.issuers.IssuerAdapter).
SECURITY_ISSUER_ADAPTER = env.str("SECURITY_ISSUER_ADAPTER", default="bidding.issuers.SimulatedIssuer")
# A bid security must stay valid this many days after the submission deadline.
BID_SECURITY_VALIDITY_DAYS = env.int("BID_SECURITY_VALIDITY_DAYS", default=30)
# Guarantees a company may have checked with issuers per tender and hour (each is an outside call).
SECURITY_VERIFICATIONS_PER_HOUR = env.int("SECURITY_VERIFICATIONS_PER_HOUR", default=20)
# A performance security (계약보증금) is this percentage of the contract value.
PERFORMANCE_SECURITY_PCT = env.int("PERFORMANCE_SECURITY_PCT", default=10)
# --- catalogue (issue 12) ------------------------------------------------------------------------
# Before the read-side apps, so that the demo loader (INSTALLED_APPS order) runs it after contracts.
INSTALLED_APPS.insert(INSTALLED_APPS.index("opendata"), "catalogue")


def _env_decimal(name: str, default: str) -> Decimal:
    try:
        return Decimal(env.str(name, default=default))
    except ArithmeticError:
        raise ImproperlyConfigured(f"{name} must be a decimal number.") from None


# VAT added to every catalogue invoice (부가가치세 10 %); 0 for a deployment without VAT on the goods.
CATALOGUE_VAT_RATE_PCT = _env_decimal("CATALOGUE_VAT_RATE_PCT", "10")
# Days after an invoice is issued within which the buyer must pay (국가계약법 시행령 §58: 5 days);
# a payment after that is late, and the supplier may file a late-payment claim.
CATALOGUE_PAYMENT_DAYS = env.int("CATALOGUE_PAYMENT_DAYS", default=5)
# Annual interest rate (%) a late-payment claim asks for, per day late.
CATALOGUE_LATE_INTEREST_PCT = _env_decimal("CATALOGUE_LATE_INTEREST_PCT", "12")
# Orders of at least this value (before VAT) are published: the public sees them on the portal.
CATALOGUE_PUBLICATION_THRESHOLD = _env_decimal("CATALOGUE_PUBLICATION_THRESHOLD", "10000000")
# Orders of at least this value go to a second-stage competition (2단계경쟁) among the agreement's
# suppliers instead of a direct order.
CATALOGUE_MINI_COMPETITION_THRESHOLD = _env_decimal("CATALOGUE_MINI_COMPETITION_THRESHOLD", "50000000")
# Items compared side by side at most.
CATALOGUE_COMPARE_MAX = 4
CATALOGUE_PAGE_SIZE = 20
# Facet counts over more than twice this many matches are estimated from a sample of about this many.
CATALOGUE_FACET_SAMPLE_ROWS = env.int("CATALOGUE_FACET_SAMPLE_ROWS", default=2000)
# --- end catalogue -------------------------------------------------------------------------------
