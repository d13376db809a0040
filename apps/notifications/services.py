"""Sending notifications: idempotent on (recipient, key), e-mail delivered by a task."""

from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.core.queueing import queue_on_commit
from apps.notifications.models import Notification


def daily_key(*parts, day=None):
    """An event key that repeats once a day: reminders about the same event go out daily at most."""
    day = day or timezone.localdate()
    return ":".join([*(str(part) for part in parts), day.isoformat()])


def notify(user, key, title, body="", url="", email=True):
    """Put a message in ``user``'s inbox unless one with ``key`` is already there.

    Returns the new notification, or None when it had been sent before.
    """
    created = notify_many([user], key, title, body=body, url=url, email=email)
    return created[0] if created else None


def notify_many(users, key, title, body="", url="", email=True):
    """Send the same message to many users; users who already have ``key`` are skipped.
    Returns the notifications created."""
    return notify_batch([(user, key, title, body, url) for user in users], email=email)


def deliver_email(notification_id):
    """Send one notification by e-mail, at most once even if two workers run it together."""
    with transaction.atomic():
        claimed = Notification.objects.filter(
            pk=notification_id, email_requested=True, emailed_at__isnull=True
        ).update(emailed_at=timezone.now())
        if not claimed:
            return False
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        # Raising here rolls the claim back, so the retry sends it.
        send_mail(
            subject=notification.title,
            message=notification.body,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    return True


def undelivered_email_ids(older_than=timedelta(minutes=5)):
    """E-mails that should have gone out (a worker was down, the mail server refused …)."""
    return list(
        Notification.objects.filter(
            email_requested=True,
            emailed_at__isnull=True,
            created_at__lt=timezone.now() - older_than,
        ).values_list("pk", flat=True)[:500]
    )


def mark_read(notifications):
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def notify_batch(messages, email=True):
    """Send many messages at once: ``messages`` are (user, key, title, body, url) tuples.
    Pairs already sent are skipped, so a reminder run can repeat safely. Returns the
    notifications created."""
    from apps.notifications.tasks import deliver_email

    messages = list(messages)
    keys = {key for _user, key, *_rest in messages}
    already = set(Notification.objects.filter(key__in=keys).values_list("recipient_id", "key"))
    new = [
        Notification(
            recipient=user,
            key=key,
            title=str(title),
            body=str(body),
            url=url,
            email_requested=email and bool(user.email),
        )
        for user, key, title, body, url in messages
        if (user.pk, key) not in already
    ]
    if not new:
        return []
    # A concurrent sender may have inserted the same pair meanwhile; the constraint settles
    # it, and bulk_create cannot say which rows won, so they are read back.
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    wanted = {(n.recipient.pk, n.key) for n in new}
    created = [
        notification
        for notification in Notification.objects.filter(
            key__in={n.key for n in new}, recipient__in={n.recipient.pk for n in new}
        ).select_related("recipient")
        if (notification.recipient_id, notification.key) in wanted
    ]
    for notification in created:
        if notification.email_requested and notification.emailed_at is None:
            # If the broker is down, deliver_undelivered_emails sends it later.
            queue_on_commit(deliver_email, notification.pk)
    return created
