"""Redis away: sign-in and pages run on PostgreSQL alone, committed work answers success, and
its follow-up work (e-mail, imports) is queued later instead of failing the request.

Each test stops a private Redis server it started itself; the shared Redis is never touched.
"""

import pytest

from federation.celery import app
from tests.redis_server import PrivateRedis


def use_broker(url):
    """Point the Celery app at ``url``, dropping the connections pooled for the old broker."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(tmp_path, settings):
    """A private Redis that served as cache and broker and then went down; ``start()`` it to
    bring it back on the same port."""
    server = PrivateRedis(tmp_path).start()
    saved_broker = app.conf.broker_url
    use_broker(server.url)
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": server.url}}
    server.stop()
    yield server
    server.stop()
    use_broker(saved_broker)


class TestSignInAndPages:
    def test_sign_in_and_pages_work_on_the_database_alone(self, redis_down, client, county_admin):
        response = client.post(
            "/accounts/login/", {"username": "county_admin", "password": "pw-for-tests"}
        )
        assert response.status_code == 302

        for page in ("/", "/liaison/cases/", "/notifications/"):
            assert client.get(page).status_code == 200, page
