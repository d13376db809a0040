"""Which PostgreSQL and Redis the product talks to.

``base`` reads only the environment; ``local`` and ``test`` start the embedded servers
(``federation.embedded``) for whichever URL is unset; ``production`` refuses to start without
both URLs.
"""

from urllib.parse import quote

import dj_database_url

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# PostgreSQL compiles a statement whose estimated cost passes jit_above_cost, which the nightly
# scoring's correlated updates do: 40 ms of compiling per plan scored, more than the statement
# then takes, while the rollups' large aggregates ran no faster with it (measured at prefecture
# scale): so no session compiles.
SESSION_OPTIONS = {"options": "-c jit=off"}
# The cache only spares work (the dashboards' rollup panels): a Redis that does not answer
# within half a second is treated as away, and the request goes on without it.
CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def from_urls(database_url, redis_url, *, embedded=False, replica_url=None):
    """``DATABASES``, ``CELERY_BROKER_URL`` and ``CACHES`` for the given URLs. An empty URL
    leaves its settings empty, or, with ``embedded``, starts the embedded server instead. A
    ``replica_url`` adds the read replica the dashboards read from (federation.routers); its
    test database mirrors the default one."""
    if database_url:
        database = dj_database_url.parse(database_url, conn_max_age=60)
    elif embedded:
        from federation import embedded as servers

        database = {"ENGINE": "django.db.backends.postgresql", **servers.postgres_settings()}
    else:
        database = None
    if redis_url:
        broker_url, cache_location = redis_url, redis_url
    elif embedded:
        from federation import embedded as servers

        socket = servers.redis_socket()
        broker_url, cache_location = f"redis+socket://{socket}", f"unix://{socket}"
    else:
        broker_url = cache_location = None
    databases = {"default": {**_session(database), "ATOMIC_REQUESTS": True}} if database else {}
    if database and replica_url:
        replica = dj_database_url.parse(replica_url, conn_max_age=60)
        databases["replica"] = {**_session(replica), "TEST": {"MIRROR": "default"}}
    cache = {
        "BACKEND": REDIS_CACHE,
        "LOCATION": cache_location,
        "KEY_PREFIX": "federation",
        "OPTIONS": CACHE_OPTIONS,
    }
    caches = {"default": cache} if cache_location else {}
    return databases, broker_url, caches


def _session(database):
    return {**database, "OPTIONS": {**database.get("OPTIONS", {}), **SESSION_OPTIONS}}


def database_url(database, *, name=None):
    """A ``DATABASES`` entry (its database, or ``name`` on the same server) as the URL
    ``from_urls`` reads back: for another process, a gunicorn or a worker, started with
    ``DATABASE_URL``. The embedded server's host is its socket directory, a path: written as
    it is, its slashes would be read as the database's name."""
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(database.get("HOST") or "localhost", safe="")
    port = database.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(name or database['NAME'])}"
