"""Test runs: the same servers as local, faster hashing, mail kept in memory."""

from federation.settings import servers
from federation.settings.base import *  # noqa: F403
from federation.settings.base import DATABASE_URL, REDIS_URL

DATABASES, CELERY_BROKER_URL, CACHES = servers.from_urls(DATABASE_URL, REDIS_URL, embedded=True)

DEBUG = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Served from the source folders through the finders: tests do not run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
