"""Notifications are idempotent on their key and reach the inbox and the navbar."""

from datetime import date

from django.urls import reverse

from apps.notifications import services
from apps.notifications.models import Notification


def test_same_key_is_sent_once(village_a1_rep):
    key = services.daily_key("visit-overdue", 7, day=date(2026, 11, 27))
    assert services.notify(village_a1_rep, key, "走访逾期") is not None
    assert services.notify(village_a1_rep, key, "走访逾期") is None
    assert Notification.objects.filter(recipient=village_a1_rep).count() == 1


def test_next_day_is_a_new_reminder(village_a1_rep):
    for day in (date(2026, 11, 27), date(2026, 11, 28)):
        services.notify(village_a1_rep, services.daily_key("visit-overdue", 7, day=day), "走访逾期")
    assert Notification.objects.filter(recipient=village_a1_rep).count() == 2


def test_notify_many_skips_those_already_told(village_a1_rep, village_b1_rep):
    services.notify(village_a1_rep, "plan-published:1", "目标已发布")
    created = services.notify_many(
        [village_a1_rep, village_b1_rep], "plan-published:1", "目标已发布"
    )
    assert [n.recipient for n in created] == [village_b1_rep]


def test_unread_count_in_navbar_and_mark_read(client_as, village_a1_rep):
    services.notify(village_a1_rep, "k1", "第一条", url="/org/units/")
    services.notify(village_a1_rep, "k2", "第二条")
    client = client_as(village_a1_rep)
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="unread-count">2<' in page

    notification = Notification.objects.get(key="k1")
    response = client.post(reverse("notifications:read", args=[notification.pk]))
    assert response["Location"] == "/org/units/"
    assert Notification.objects.for_user(village_a1_rep).unread().count() == 1


def test_inbox_is_private(client_as, api_as, village_a1_rep, village_b1_rep):
    notification = services.notify(village_a1_rep, "k1", "仅本人可见")
    assert (
        client_as(village_b1_rep)
        .post(reverse("notifications:read", args=[notification.pk]))
        .status_code
        == 404
    )
    api = api_as(village_b1_rep)
    assert api.get("/api/v1/notifications/").json()["count"] == 0
    assert api.post(f"/api/v1/notifications/{notification.pk}/read/").status_code == 404


def test_api_marks_read(api_as, village_a1_rep):
    notification = services.notify(village_a1_rep, "k1", "请查收")
    response = api_as(village_a1_rep).post(f"/api/v1/notifications/{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None


def test_email_is_claimed_once(village_a1_rep, mailoutbox):
    village_a1_rep.email = "rep@example.invalid"
    village_a1_rep.save()
    notification = services.notify(village_a1_rep, "k1", "邮件提醒", body="正文")
    assert services.deliver_email(notification.pk) is True
    assert services.deliver_email(notification.pk) is False
    assert [message.subject for message in mailoutbox] == ["邮件提醒"]
