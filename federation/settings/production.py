"""Production: refuses to start without a secret key, host names and the URLs of its
PostgreSQL and Redis (the embedded servers are for local and test runs only); HTTPS everywhere."""

from federation.settings import servers
from federation.settings.base import *  # noqa: F403
from federation.settings.env import env_bool, env_int, env_required, env_str

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in env_required("ALLOWED_HOSTS").split(",")]
DATABASES, CELERY_BROKER_URL, CACHES = servers.from_urls(
    env_required("DATABASE_URL"),
    env_required("REDIS_URL"),
    replica_url=env_str("DATABASE_REPLICA_URL"),
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# `manage.py migrate` signs in as the tables' owner when this is set; everything else uses
# DATABASE_URL's role, which `check --deploy` refuses if it is a superuser or may change the
# access log (apps/core/checks.py, docker/postgres-init/10-roles.sh).
MIGRATE_DATABASE_URL = env_str("MIGRATE_DATABASE_URL")
