"""Settings shared by every environment, read from the environment (django-environ).

With no variables set this is the embedded default that `make run` uses: SQLite in WAL mode,
Celery on the kombu filesystem broker, mail to the local SMTP sink on port 1025.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config.site import site_url_from

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-embedded-default-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Links in mails and feeds; without SITE_URL the local address on PORT (`make run`).
SITE_URL = site_url_from(os.environ)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "audits",
    "compliance",
    "access",
    "subprocessors",
    "processing",
    "breaches",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's stored language wins over the browser's; the admin in Amsterdam time.
    "compliance.personal_locale.PersonalLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "audits.middleware.RequestIdMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "compliance.lockout.SignInLockMiddleware",
    "compliance.access_middleware.AccessMiddleware",
    # AC-01: a staff member acknowledges the current confidentiality text before anything else.
    "access.middleware.ConfidentialityGate",
    "compliance.security.SecurityHeadersMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
                "compliance.context_processors.navigation",
            ],
        },
    },
]

# SQLite (embedded default): WAL so readers never block the writer, a busy timeout so a
# second writer waits instead of failing, and IMMEDIATE transactions so a read-then-write
# transaction takes the write lock up front instead of failing to upgrade it later.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "compliance.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "compliance.passwords.BreachedPatternValidator"},
]

# --- Sign-in (ON-01, ON-02): django-allauth with its MFA part, django-axes for lockout.
# Axes first: it refuses a locked-out address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "compliance.auth_adapter.AccountAdapter"
MFA_ADAPTER = "compliance.auth_adapter.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Accounts come from invitations only; the invited person gives the address, proves it with
# an e-mailed code, and then sets a password (the order of the first-login guides).
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_FORMS = {
    "login": "compliance.auth_forms.LoginForm",
    "signup": "compliance.auth_forms.SignupForm",
    "request_login_code": "compliance.auth_forms.RequestLoginCodeForm",
    "reset_password": "compliance.auth_forms.ResetPasswordForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# allauth's own throttles stay looser than django-axes, so that the lockout page (with its
# clear message) is what a user sees after AXES_FAILURE_LIMIT failures.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,20/15m/key"}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Processor compliance")
MFA_TOTP_TOLERANCE = 0
MFA_RECOVERY_CODE_COUNT = 10
# The relying party of passkeys is this host name (without port); "localhost" in development.
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default="localhost")
WEBAUTHN_RP_NAME = env("WEBAUTHN_RP_NAME", default="Processor compliance")
# Browsers accept passkeys over plain http only on localhost.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or SITE_URL.startswith(
    ("http://localhost", "http://127.0.0.1")
)
# Lockout: five failed sign-ins for one address from one IP address block that pair for 15 min.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "compliance.auth_adapter.axes_username"
AXES_LOCKOUT_CALLABLE = "compliance.lockout.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# An invitation covers the whole activation (address, code, password, second factor); a
# factor reset opens a new window for enrolment. Past either, the account can enrol nothing
# until the privacy officer opens a new window (ON-01).
INVITATION_VALID_HOURS = env.int("INVITATION_VALID_HOURS", default=48)
FACTOR_RESET_VALID_HOURS = env.int("FACTOR_RESET_VALID_HOURS", default=48)
# What cannot be undone asks for the second factor again after this long (ON-02).
RECENT_SECOND_FACTOR_MINUTES = env.int("RECENT_SECOND_FACTOR_MINUTES", default=15)
# The public subscribe form (SP-01): limits counted in the database, and the proxies
# (addresses or networks) whose X-Forwarded-For names the client; none by default, so the
# client is REMOTE_ADDR.
SUBSCRIBE_PER_CLIENT_PER_HOUR = env.int("SUBSCRIBE_PER_CLIENT_PER_HOUR", default=5)
SUBSCRIBE_MAILS_PER_ADDRESS_PER_DAY = env.int("SUBSCRIBE_MAILS_PER_ADDRESS_PER_DAY", default=3)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Deadlines are stored in UTC and shown to people in this zone, with the zone named.
DISPLAY_TIME_ZONE = "Europe/Amsterdam"
# DATETIME_FORMAT and DATE_FORMAT as `compliance.moments` writes them ("4 December 2026, 16:49
# CET"), for the admin and any datetime a template prints without a filter.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns when it is missing; finders serve in dev
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Mail: the embedded default is the local SMTP sink started by `make run` (port 1025).
EMAIL_CONFIG = env.email("EMAIL_URL", default="smtp://localhost:1025")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="privacy@processor.example")
# Delivery-status notifications come back to this address; the bounce receiver reads them.
BOUNCE_ADDRESS = env("BOUNCE_ADDRESS", default="bounces@processor.example")
MESSAGE_ID_DOMAIN = env("MESSAGE_ID_DOMAIN", default="processor.example")
BOUNCE_RECEIVER_HOST = env("BOUNCE_RECEIVER_HOST", default="127.0.0.1")

# The processor's seal (AU-03): the key and certificate that sign chain anchors, evidence
# bundles and the PAdES seals of PDFs. Unset, a self-signed pair is made once in
# var/seal/ (fine for a demo; production gives its own, see docs/operations.md).
EVIDENCE_SEAL_KEY_FILE = env("EVIDENCE_SEAL_KEY_FILE", default=str(VAR_DIR / "seal" / "key.pem"))
EVIDENCE_SEAL_CERT_FILE = env(
    "EVIDENCE_SEAL_CERT_FILE", default=str(VAR_DIR / "seal" / "certificate.pem")
)
# An RFC 3161 timestamping service for PAdES seals; empty: seals without a timestamp.
EVIDENCE_TSA_URL = env("EVIDENCE_TSA_URL", default="")
# Where the daily chain anchor is also posted (JSON); empty: mail only.
AUDIT_ANCHOR_WEBHOOK_URL = env("AUDIT_ANCHOR_WEBHOOK_URL", default="")
# Addresses outside the administrators' control that also receive every anchor (besides
# every active auditor account), comma-separated.
AUDIT_ANCHOR_RECIPIENTS = env.list("AUDIT_ANCHOR_RECIPIENTS", default=[])
BOUNCE_RECEIVER_PORT = env.int("BOUNCE_RECEIVER_PORT", default=2525)
MAIL_SINK_DIR = env.path("MAIL_SINK_DIR", default=VAR_DIR / "mail")
# An outbox row still failing after this long is escalated to the privacy officer.
OUTBOX_ESCALATE_AFTER_SECONDS = env.int("OUTBOX_ESCALATE_AFTER_SECONDS", default=4 * 3600)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=200)

# Celery: the embedded default uses kombu's filesystem broker (no server needed).
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

REST_FRAMEWORK = {
    # Tokens first: their "Bearer" challenge makes an unauthenticated call a 401 (ON-02).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "compliance.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "compliance.access.ApiAccess",
        # AC-01: 403 with the reason until the current confidentiality text is acknowledged.
        "access.api_gate.ConfidentialityAcknowledged",
    ],
    "DEFAULT_SCHEMA_CLASS": "compliance.api_schema.AutoSchema",
    # The API reads JSON only: one way to send data, and the only one the schema describes.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # No OPTIONS metadata: the schema describes every operation (OPTIONS answers 405).
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "compliance.api_paging.PageNumbers",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "compliance.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Processor compliance API",
    "DESCRIPTION": "GDPR processor duties: customers, contacts, processor profile.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its viewer are not public pages (ON-02).
    "SERVE_PERMISSIONS": ["compliance.access.ApiAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components, so that they can say what input must hold
    # (a name that may not be blank has minLength 1) while answers stay as they are.
    "COMPONENT_SPLIT_REQUEST": True,
    # Ids in API paths (compliance.api_routers): digits only, at most 18 of them.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 10**18 - 1}
    },
    # One name per choice set of the breach workflow (breaches/models/, breaches/serializers/).
    "ENUM_NAME_OVERRIDES": {
        "AuthorityDecisionEnum": "breaches.models.AuthorityDecision",
        "SubjectsDecisionEnum": "breaches.models.SubjectsDecision",
        "IncidentStateEnum": "breaches.models.IncidentState",
        "NoticeStateEnum": "breaches.models.NoticeState",
        "NotificationKindEnum": "breaches.models.NotificationKind",
        "SelectionRuleEnum": "breaches.models.SelectionRule",
        "AuthorityEnum": "breaches.models.Authority",
        "IntentionRecipientEnum": "breaches.models.IntentionRecipient",
        "EnisaCircumstanceEnum": "breaches.serializers.CB_CHOICES",
        # Named too, as both have fields called "kind".
        "ChangeKindEnum": "subprocessors.models.ChangeKind",
        "IncidentUpdateKindEnum": "breaches.models.IncidentUpdateKind",
        "TicketStatusEnum": "access.models.TicketStatus",
        "BindingAuthorityEnum": "processing.models.instructions.Authority",
        "InstructionAnswerEnum": "processing.models.instructions.InstructionAnswer",
    },
}

# Sessions end after this much inactivity: every request renews the cookie's age.
# Personal API tokens (ON-02): the longest validity a user may choose.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=90)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Shared between web processes: allauth keeps its rate limits and used TOTP codes (no replay)
# here. The embedded default is a folder; production uses Redis (CACHE_URL=redis://...).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO: noise, and ~20 ms per PDF.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
