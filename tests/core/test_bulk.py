"""copy_rows: what goes in through COPY comes back as it went in, and a bad row writes nothing."""

from datetime import UTC, datetime

import pytest
from django.db import DataError, IntegrityError, transaction

from apps.accounts.models import User
from apps.core.bulk import copy_rows
from apps.notifications.models import Notification

TRICKY = 'a "quoted", comma\nnew line \\N 妇联'


@pytest.mark.django_db
def test_values_arrive_as_written_nulls_included():
    user = User.objects.create_user("copy", password=None)
    moment = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    fields = (
        "recipient_id",
        "key",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
        "email_requested",
    )
    count = copy_rows(
        Notification,
        fields,
        [
            (user.pk, "one", TRICKY, "", "/x/", moment, None, False),
            (user.pk, "two", "\\N", "正文", "", moment, moment, True),
        ],
    )
    assert count == 2
    one, two = Notification.objects.filter(recipient=user).order_by("key")
    assert (one.title, one.body, one.read_at, one.email_requested) == (TRICKY, "", None, False)
    assert (two.title, two.body, two.read_at, two.email_requested) == ("\\N", "正文", moment, True)
    assert one.created_at == moment


@pytest.mark.django_db
@pytest.mark.parametrize("keys", [["same", "same"], ["fine", "x" * 201]])
def test_a_bad_row_writes_nothing(keys):
    user = User.objects.create_user("copy", password=None)
    moment = datetime(2026, 11, 27, tzinfo=UTC)
    rows = [(user.pk, key, "t", "", "", moment, None, True) for key in keys]
    fields = (
        "recipient_id",
        "key",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
        "email_requested",
    )
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        copy_rows(Notification, fields, rows)
    assert not Notification.objects.filter(recipient=user).exists()
