"""Redis away: sign-in and pages run on PostgreSQL alone, committed work answers success, and
its follow-up work (e-mail, imports) is queued later instead of failing the request.

Each test stops a private Redis server it started itself; the shared Redis is never touched.
"""

import time
from datetime import timedelta

import pytest
import redis
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from apps.liaison.models import Case, RosterImport
from apps.notifications.models import Notification
from apps.notifications.tasks import deliver_undelivered_emails
from federation.celery import app
from tests.liaison.test_cases import log_need
from tests.liaison.test_roster import line, roster_file
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


class TestEscalationWhileTheBrokerIsDown:
    @pytest.fixture
    def case(self, transactional_db, village_a1_rep, household_a1, township_a_staff):
        township_a_staff.email = "township@example.invalid"
        township_a_staff.save()
        return log_need(village_a1_rep, household_a1)[1]

    def test_the_api_answers_success_quickly_and_the_outbox_sends_later(
        self, case, redis_down, village_a1_rep, township_a_staff, api_as, county
    ):
        started = time.monotonic()
        response = api_as(village_a1_rep).post(
            f"/api/v1/cases/{case.pk}/escalate/", {"note": "请乡镇协调"}
        )

        assert response.status_code == 200
        assert time.monotonic() - started < 10
        assert response.json()["state"] == "escalated"
        notification = Notification.objects.get(recipient=township_a_staff)
        assert notification.email_requested and notification.emailed_at is None

        # Redis is back; the outbox task of ten minutes later queues the e-mail.
        redis_down.start()
        use_broker(redis_down.url)
        Notification.objects.filter(pk=notification.pk).update(
            created_at=timezone.now() - timedelta(minutes=6)
        )
        deliver_undelivered_emails()
        assert redis.Redis.from_url(redis_down.url).llen("celery") == 1

    def test_the_page_answers_success_and_a_retry_changes_nothing(
        self, case, redis_down, village_a1_rep, client_as, county
    ):
        client = client_as(village_a1_rep)
        for _attempt in range(2):
            response = client.post(
                f"/liaison/cases/{case.pk}/", {"action": "escalate", "note": "请乡镇协调"}
            )
            assert response.status_code == 302

        case = Case.objects.get(pk=case.pk)
        assert case.escalated_to == county.township_a
        assert case.escalation_units == [county.township_a.pk]


def test_a_roster_that_cannot_be_queued_says_so(
    transactional_db, redis_down, county, township_a_staff, client_as, tmp_path, monkeypatch
):
    field = RosterImport._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path))

    response = client_as(township_a_staff).post(
        "/liaison/representatives/import/",
        {"file": roster_file([line("001", county.village_a1)])},
    )

    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.FAILED
    assert "稍后" in roster_import.errors[0]["message"]
