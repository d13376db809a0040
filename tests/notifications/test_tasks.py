"""A real Celery worker, on the real broker and database, delivers a notification's e-mail."""

import pytest
from django.db import transaction

from apps.notifications import services
from apps.notifications.models import Notification
from tests.conftest import wait_for


@pytest.mark.worker
def test_worker_sends_the_email_after_commit(village_a1_rep, celery_worker, mailoutbox):
    village_a1_rep.email = "rep@example.invalid"
    village_a1_rep.save()
    with transaction.atomic():
        notification = services.notify(village_a1_rep, "case-escalated:9", "个案已上报")

    result = wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at)
    assert result is not None
    assert [message.to for message in mailoutbox] == [["rep@example.invalid"]]
