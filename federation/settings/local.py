"""Local development and the demo: safe defaults, debug on unless told otherwise, and embedded
PostgreSQL and Redis for whichever of DATABASE_URL / REDIS_URL is unset."""

from federation.settings import servers
from federation.settings.base import *  # noqa: F403
from federation.settings.base import DATABASE_URL, REDIS_URL
from federation.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
DATABASES, CELERY_BROKER_URL, CACHES = servers.from_urls(DATABASE_URL, REDIS_URL, embedded=True)
