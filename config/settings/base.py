"""Settings shared by every environment; behaviour differences come from the
environment (see README "Configuration"), production.py only tightens."""

import datetime
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime files of the embedded mode: SQLite database, broker folders, e-mails.
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = [
    "contacts",
    "incidents",
    "readiness",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "contacts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session proved a second factor (django-otp), and the
    # second-factor page for those who must and have not (SECOND_FACTOR_*).
    "django_otp.middleware.OTPMiddleware",
    "contacts.middleware.SecondFactorMiddleware",
    # A closed election is read-only: its writes answer 403 (contacts.services.
    # closure); after the login and second factor, which it lets through.
    "contacts.middleware.ClosedElectionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the audit trail (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Idle sessions end (SESSION_IDLE_MINUTES); the expiry moves on with use.
    "contacts.middleware.IdleSessionMiddleware",
    # Refuses logins after repeated failures (django-axes); last, as it asks.
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
                "contacts.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo's web process and worker write the same file: a transaction
    # takes the write lock when it starts and waits up to 20 s for it,
    # rather than failing with "database is locked" when a read turns into
    # a write half-way (a request that records a token's last use, say).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
# A kept connection is checked before a request reuses it: after PostgreSQL
# restarts or fails over, each web process would otherwise answer its next
# request with a 500 on the dead connection (bench/polling_day.py saw it).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "contacts.User"
# django-axes counts failed logins first; then Django checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair out
# for AXES_COOLOFF_MINUTES; successes and failures are kept in axes' access
# logs (the admin lists them), the audit trail of logins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "contacts.views.registry.locked_out"
AXES_VERBOSE = False
# Behind PROXY_COUNT reverse proxies the client's address is read from
# X-Forwarded-For; without, only the connection's (a client could write
# the header itself and escape the lockout).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)
)
# Department staff and admin-site users give a code from an authenticator
# app (TOTP, django-otp) after their password: they change every
# organisation's records (contacts.services.second_factor). The app names
# the account OTP_TOTP_ISSUER.
SECOND_FACTOR_FOR_DEPARTMENT = env_bool("SECOND_FACTOR_FOR_DEPARTMENT", True)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "TTLL bầu cử")
# How long an invitation's link works (contacts.services.members).
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# A password reset link (contacts.services.password_resets) works this
# long, not Django's three days: a link left in a mailbox, a forwarded
# message or a shared office computer must not open the account days
# later. Two hours still covers the outbox's retries (BACKOFF_SECONDS in
# contacts/services/outbox.py: 1 + 5 + 15 + 60 minutes); a message unsent
# when its link expires is dropped rather than sent.
PASSWORD_RESET_TIMEOUT = 60 * env_int("PASSWORD_RESET_TIMEOUT_MINUTES", 120)
# Reset requests per hour, counted from the membership history in the
# database (so the limit holds with Redis down): per address typed, so that
# nobody fills a person's mailbox, and per client IP address, so that one
# machine cannot send links to a whole list of addresses. Ten per IP leaves
# room for an office behind one NAT address on a busy morning.
PASSWORD_RESET_PER_ADDRESS_HOURLY = env_int("PASSWORD_RESET_PER_ADDRESS_HOURLY", 3)
PASSWORD_RESET_PER_IP_HOURLY = env_int("PASSWORD_RESET_PER_IP_HOURLY", 10)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
_VALIDATORS = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _VALIDATORS + "UserAttributeSimilarityValidator"},
    {"NAME": _VALIDATORS + "MinimumLengthValidator"},
    {"NAME": _VALIDATORS + "CommonPasswordValidator"},
    {"NAME": _VALIDATORS + "NumericPasswordValidator"},
]

# Vietnamese first; English on request (the switcher posts to set_language).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Dates typed as 05/06/2021 mean 5 June: config/formats/vi sets the input
# formats Django's own vi locale lacks (docs/conventions.md, "Vietnamese
# dates").
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# Reasons for moving deadlines can be long sentences: a text column, not
# simple-history's default of 100 characters (refused by PostgreSQL).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A hung SMTP server must give up well within the outbox lease
# (OUTBOX_LEASE_SECONDS), or a message would be sent twice.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = VAR_DIR / "sent-emails"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")

SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request (IdleSessionMiddleware
# moves the expiry on at most every SESSION_REFRESH_SECONDS, not per request).
SESSION_COOKIE_AGE = 60 * env_int("SESSION_IDLE_MINUTES", 60)
SESSION_REFRESH_SECONDS = 300
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# Pages load only our own files: no inline script or style, no eval, no
# other origin. Set here rather than in production.py so that `make run` and
# the tests, the browser journeys included, run under the very policy
# production sends (tests/browser/conftest.py fails a test on any
# violation; tests/test_csp.py keeps inline code out of templates/).
# Styles and behaviours live in static/; a script may still set
# element.style, which CSP allows. Bootstrap's CSS draws its icons (the menu
# toggler, select arrows, check marks) from data: SVG images, hence img-src.
# --- The API (/api/v1/, config/urls_api.py) ---------------------------------
# Token authentication only (no session: a page's cookie cannot call it, so
# no CSRF), one error shape, a rate per token, JSON only.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "120/minute")
# The API's rate limit counts in the default cache: give CACHE_URL
# (redis://…) when several web processes serve, or each counts alone.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "contacts.api.authentication.ApiTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["contacts.api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "contacts.api.pagination.ApiPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "contacts.api.errors.exception_handler",
    # OPTIONS answers 405: the schema, not DRF's form metadata, describes
    # each endpoint.
    "DEFAULT_METADATA_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Election communications readiness API",
    "DESCRIPTION": (
        "For the operations centres of carriers and the systems of districts: "
        "incidents and their timelines, duty rosters, obligations and the "
        "accepted contact directory, with the permissions of the web pages."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI's files from the drf-spectacular-sidecar package, served
    # as our own static files: no CDN, and the CSP stays "self".
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for the incident statuses wherever they appear.
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.models.IncidentStatus",
    },
    # `<id:pk>` (contacts.ids.IdConverter) takes 1 to contacts.ids.ID_MAX.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Celery -----------------------------------------------------------------
# Without CELERY_BROKER_URL the embedded mode uses kombu's filesystem
# transport, which needs no server; production sets redis://.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
    # The transport expects its folders to exist.
    for _folder in ("queue", "control"):
        (CELERY_BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
else:
    # An unacknowledged task goes back to the queue after this long. It must
    # exceed the longest task and any retry countdown, or such tasks run
    # twice (docs/conventions.md, "Celery and Redis"). Deadlines live in the
    # database and are found by beat scans, so no countdown here is long; the
    # longest is a retry after a lost database connection
    # (config.celery_app.DatabaseTask: at most 60 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Tasks are idempotent (they claim rows by conditional UPDATE), so a task is
# acknowledged only once done and re-run if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that nudges the worker must not hang when Redis is down:
# give up publishing quickly; the outbox row waits for the beat sweep.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Every minute: lets /healthz tell how long ago a worker last ran a task.
    "record-worker-heartbeat": {
        "task": "contacts.tasks.record_heartbeat",
        "schedule": 60.0,
    },
    # Every minute: deliver due messages, retry, and recover lost sends.
    "deliver-due-messages": {
        "task": "contacts.tasks.deliver_due_messages",
        "schedule": 60.0,
    },
    # Every 5 minutes: reminders are day-granular; a faster tick only adds
    # load (the tick is idempotent, so a missed one catches up).
    "plan-reminders": {
        "task": "readiness.tasks.plan_reminders",
        "schedule": env_int("REMINDER_TICK_SECONDS", 300),
    },
    # Every 10 minutes: the staff digest is written once a day at the
    # rule's digest hour; later ticks that day find its row and write
    # nothing (one dedupe key per user and day).
    "send-staff-digest": {
        "task": "readiness.tasks.send_staff_digest",
        "schedule": 600.0,
    },
    # Every 10 minutes: the notice digest is written once a day after
    # NOTICE_DIGEST_HOUR; later ticks that day find its row and write
    # nothing (one dedupe key per person and day).
    "send-notice-digests": {
        "task": "contacts.tasks.send_notice_digests",
        "schedule": 600.0,
    },
    # Every minute: the shortest acknowledgement limit is minutes (15 for a
    # critical incident by default); the scan is idempotent.
    "escalate-incidents": {
        "task": "incidents.tasks.escalate_incidents",
        "schedule": 60.0,
    },
    # Every 15 minutes: a shift without a mobile number is announced once,
    # within the day before it starts; a quarter of an hour late is still
    # early enough to fix the number, and the scan is idempotent.
    "remind-flagged-shifts": {
        "task": "incidents.tasks.remind_flagged_shifts",
        "schedule": 900.0,
    },
    # Every 5 minutes: on polling day a situation report is due every few
    # hours (Election.situation_report_every_hours); five minutes late is
    # on time for a report, and the tick is idempotent.
    "make-situation-reports": {
        "task": "readiness.tasks.make_situation_reports",
        "schedule": 300.0,
    },
    # Every 5 minutes: a carrier that has not filed its status report within
    # STATUS_REPORT_GRACE_MINUTES of a reporting moment is reminded once (the
    # dedupe key names carrier, moment and person, so ticks are idempotent).
    "remind-missed-status-reports": {
        "task": "incidents.tasks.remind_missed_status_reports",
        "schedule": 300.0,
    },
    # Every minute: a reachability check started while the broker was down
    # (its nudge lost) is prepared by this sweep; idempotent.
    "prepare-roll-calls": {
        "task": "incidents.tasks.prepare_roll_calls",
        "schedule": 60.0,
    },
    # Every 5 minutes: a reachability check's reminder is due hours after
    # it starts; five minutes late is on time, and each roll-call is
    # reminded once (a conditional UPDATE claims it).
    "remind-roll-calls": {
        "task": "incidents.tasks.remind_roll_calls",
        "schedule": 300.0,
    },
}

# The incident board reloads its table this often (htmx polling).
INCIDENT_BOARD_REFRESH_SECONDS = env_int("INCIDENT_BOARD_REFRESH_SECONDS", 30)
# The province dashboard refreshes itself this often on polling day.
DASHBOARD_REFRESH_SECONDS = env_int("DASHBOARD_REFRESH_SECONDS", 60)
# A carrier's status report may come this late after its reporting moment
# before the carrier is reminded (incidents.services.status_reports).
STATUS_REPORT_GRACE_MINUTES = env_int("STATUS_REPORT_GRACE_MINUTES", 30)

# --- Outbox (contacts.services.outbox) --------------------------------------
# A real gateway is a dotted path to a function send(message).
SMS_BACKEND = env_str("SMS_BACKEND", "contacts.channels.sms.log_send")
USE_SMS = env_bool("USE_SMS", False)
# With SMS_BACKEND=contacts.channels.sms.http_send: where each SMS is posted
# as JSON, the bearer token sent with it, and how long to wait for it.
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
# The secret an SMS gateway sends (Authorization: Bearer …) when it posts a
# received SMS to /sms/incoming/ (roll-call replies); empty: no webhook.
SMS_INCOMING_TOKEN = env_str("SMS_INCOMING_TOKEN", "")
# Zalo template messages (ZNS, contacts.channels.zalo; README, "Zalo"): off
# while no access token is set. Where each message is posted, the Official
# Account's access token (or a file holding it, rewritten by the job that
# refreshes it), how long to wait for an answer.
ZALO_ZNS_URL = env_str(
    "ZALO_ZNS_URL", "https://business.openapi.zalo.me/message/template"
)
ZALO_ACCESS_TOKEN = env_str("ZALO_ACCESS_TOKEN", "")
ZALO_ACCESS_TOKEN_FILE = env_str("ZALO_ACCESS_TOKEN_FILE", "")
ZALO_TIMEOUT = env_int("ZALO_TIMEOUT", 10)
# The approved ZNS template for each kind of notice (OutboundMessage.kind,
# or what comes before its first "-"); a kind without one is not sent by Zalo.
ZALO_TEMPLATES = {
    "reminder": env_str("ZALO_TEMPLATE_REMINDER", ""),
    "incident": env_str("ZALO_TEMPLATE_INCIDENT", ""),
    "status-report": env_str("ZALO_TEMPLATE_STATUS_REPORT", ""),
    "shift-phone": env_str("ZALO_TEMPLATE_SHIFT_PHONE", ""),
    "situation_report": env_str("ZALO_TEMPLATE_SITUATION_REPORT", ""),
    # The review loop's notices (submitted, returned, accepted, a deadline
    # moved, a comment on an incident): contacts.channels.zalo.template_for.
    "notice": env_str("ZALO_TEMPLATE_NOTICE", ""),
}
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)
# A message left "sending" this long is taken to be lost with its worker.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 600)
# The address links in messages point at.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The hour (Vietnam time) of the one e-mail a day sent to those who chose
# the notice digest (contacts.services.notice_digest): the end of the
# working day, so that it holds the day's returns and answers.
NOTICE_DIGEST_HOUR = env_int("NOTICE_DIGEST_HOUR", 17)

# Days after an election's close-out before its contacts' names and phone
# numbers may be anonymised (readiness management command
# anonymise_election; contacts.services.anonymisation). The Department
# sets it from its own records schedule; 90 leaves time for complaints and
# audits after the results are announced.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 90)

# The Department as its outgoing documents name it (Decree 30/2020/NĐ-CP;
# readiness.services.documents, readiness.documents_report): the issuing
# body printed under the province's People's Committee, and the issuer's
# abbreviation in every number ("12/BC-STTTT"). A deployment's fact, not an
# election's: a reorganisation renames the Department (in 2025 most Sở TTTT
# joined the Sở Khoa học và Công nghệ, SKHCN). Each document keeps the
# symbol it was made with, so earlier numbers stay as issued.
DOCUMENT_ISSUING_BODY = env_str("DOCUMENT_ISSUING_BODY", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
DOCUMENT_ISSUER_SYMBOL = env_str("DOCUMENT_ISSUER_SYMBOL", "STTTT")

# How long /healthz waits for the broker before calling it down.
HEALTHZ_BROKER_TIMEOUT = env_int("HEALTHZ_BROKER_TIMEOUT", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step of every PDF at INFO (the Election
    # Committee report); its warnings are what an operator needs.
    "loggers": {
        name: {"level": "WARNING"}
        for name in ("weasyprint", "fontTools", "fontTools.subset")
    },
}
