"""A real Celery worker, on the real broker and database, delivers a notification's e-mail."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from apps.notifications import services
from apps.notifications.models import Notification
from federation.celery import app as celery_app


@pytest.fixture
def celery_worker(transactional_db):
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.worker
def test_worker_sends_the_email_after_commit(village_a1_rep, celery_worker, mailoutbox):
    village_a1_rep.email = "rep@example.invalid"
    village_a1_rep.save()
    with transaction.atomic():
        notification = services.notify(village_a1_rep, "case-escalated:9", "个案已上报")

    result = _wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at)
    assert result is not None
    assert [message.to for message in mailoutbox] == [["rep@example.invalid"]]


def _wait_for(read, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.1)
    return None
