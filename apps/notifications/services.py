"""Sending notifications: idempotent on (recipient, key), e-mail delivered by a task; group
robot messages idempotent on (robot, key), posted by a task and retried by the outbox."""

import base64
import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from urllib.error import HTTPError, URLError
from urllib.parse import quote_plus
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.queueing import queue_on_commit
from apps.notifications.models import GroupRobot, Notification, RobotMessage

logger = logging.getLogger(__name__)


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

    unsent = {}
    for user, key, title, body, url in messages:
        unsent.setdefault(
            (user.pk, key),
            Notification(
                recipient=user,
                key=key,
                title=str(title),
                body=str(body),
                url=url,
                email_requested=email and bool(user.email),
            ),
        )
    unsent = list(unsent.values())
    created = []
    for start in range(0, len(unsent), INSERT_BATCH):
        created += _insert_unsent(unsent[start : start + INSERT_BATCH])
    for notification in created:
        if notification.email_requested:
            # If the broker is down, deliver_undelivered_emails sends it later.
            queue_on_commit(deliver_email, notification.pk)
    return created


INSERT_BATCH = 1000


def _insert_unsent(notifications):
    """Insert the notifications whose (recipient, key) is not stored yet, in one statement, and
    return those, with their ids. The unique constraint decides, also against a concurrent
    sender; bulk_create's ignore_conflicts cannot say which rows it inserted, so this is one
    INSERT … ON CONFLICT DO NOTHING RETURNING instead of a read before and a read after."""
    now = timezone.now()
    columns = {
        "recipient_id": ("bigint", [n.recipient_id for n in notifications]),
        "key": ("text", [n.key for n in notifications]),
        "title": ("text", [n.title for n in notifications]),
        "body": ("text", [n.body for n in notifications]),
        "url": ("text", [n.url for n in notifications]),
        "created_at": ("timestamptz", [now] * len(notifications)),
        "email_requested": ("boolean", [n.email_requested for n in notifications]),
    }
    arrays = ", ".join(f"%s::{kind}[]" for kind, _values in columns.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} ({', '.join(columns)}) "
            f"SELECT * FROM UNNEST({arrays}) "
            "ON CONFLICT (recipient_id, key) DO NOTHING RETURNING id, recipient_id, key",
            [values for _kind, values in columns.values()],
        )
        inserted = {(recipient, key): pk for pk, recipient, key in cursor.fetchall()}
    created = []
    for notification in notifications:
        pk = inserted.get((notification.recipient_id, notification.key))
        if pk is not None:
            notification.pk, notification.created_at = pk, now
            notification._state.adding, notification._state.db = False, connection.alias
            created.append(notification)
    return created


# --- group robots (企业微信 / 钉钉) ------------------------------------------------------------


class RobotError(Exception):
    """A post the robot did not take: network error, HTTP error, or its errcode != 0."""


def site_link(path):
    """``path`` as a link a group member can open, or "" when SITE_URL is not set."""
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{path}" if base and path else ""


def robot_text(title, lines=(), url="", most=10):
    """A group message: the title, up to ``most`` lines, and the link (if SITE_URL is set)."""
    lines = [str(line) for line in lines]
    parts = [str(title), *(f"· {line}" for line in lines[:most])]
    if len(lines) > most:
        parts.append("…")
    link = site_link(url)
    return "\n".join([*parts, link] if link else parts)


def notify_robot(unit, key, event, text):
    """One message for ``unit``'s group robot (see notify_robots); returns it, or None."""
    created = notify_robots([(unit, key, event, text)])
    return created[0] if created else None


def notify_robots(messages):
    """Queue messages for units' group robots: ``messages`` are (unit, key, event, text)
    tuples, ``event`` a GroupRobot.Event. Units without an enabled robot that takes the event
    get nothing; a (robot, key) pair already queued is skipped, so a reminder run can repeat
    safely. Returns the robot messages created. The text goes to a chat group of the unit's
    staff: callers put in it only what every member of the unit may read (counts and links
    for anything touching a case)."""
    from apps.notifications.tasks import deliver_robot_message

    messages = list(messages)
    if not messages:
        return []
    robots = {
        robot.unit_id: robot
        for robot in GroupRobot.objects.filter(
            unit__in={unit.pk for unit, *_rest in messages}, is_enabled=True
        )
    }
    wanted = {
        (robots[unit.pk].pk, key): RobotMessage(
            robot=robots[unit.pk], key=key, event=event, text=str(text)
        )
        for unit, key, event, text in messages
        if unit.pk in robots and robots[unit.pk].wants(event)
    }
    if not wanted:
        return []
    keys = {key for _robot, key in wanted}
    robot_ids = {robot_id for robot_id, _key in wanted}
    stored = RobotMessage.objects.filter(key__in=keys, robot__in=robot_ids)
    already = set(stored.values_list("robot_id", "key"))
    new = [message for pair, message in wanted.items() if pair not in already]
    if not new:
        return []
    # A concurrent run may insert the same pair meanwhile: the constraint settles it, and the
    # row lock in deliver_robot_message sends each stored row once, whoever queued it.
    RobotMessage.objects.bulk_create(new, ignore_conflicts=True)
    new_pairs = {(message.robot.pk, message.key) for message in new}
    created = [
        message
        for message in stored.filter(sent_at__isnull=True, attempts=0)
        if (message.robot_id, message.key) in new_pairs
    ]
    for message in created:
        queue_on_commit(deliver_robot_message, message.pk)
    return created


def deliver_robot_message(message_id):
    """Post one message to its robot. The row is locked while it is posted, so two workers
    never send it twice; a failure is recorded (attempts, error) for the outbox to retry.
    Returns True when the robot took it."""
    with transaction.atomic():
        message = (
            RobotMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                pk=message_id,
                sent_at__isnull=True,
                attempts__lt=RobotMessage.MAX_ATTEMPTS,
                robot__is_enabled=True,
            )
            .select_related("robot")
            .first()
        )
        if message is None:
            return False
        robot = message.robot
        now = timezone.now()
        try:
            post_to_robot(robot, message.text)
            error = ""
        except RobotError as failure:
            error = str(failure)[:300]
        message.attempts += 1
        message.last_attempt_at = now
        message.last_error = error
        message.sent_at = None if error else now
        message.save(update_fields=["attempts", "last_attempt_at", "last_error", "sent_at"])
        GroupRobot.objects.filter(pk=robot.pk).update(last_attempt_at=now, last_error=error)
    if error:
        logger.warning(
            "Group robot %s: message %s attempt %s failed: %s",
            robot.masked_url,
            message.pk,
            message.attempts,
            error,
        )
    else:
        logger.info("Group robot %s: message %s delivered", robot.masked_url, message.pk)
    return not error


def undelivered_robot_message_ids(older_than=timedelta(minutes=5)):
    """Robot messages to try again: not sent, attempts left, none in the last ``older_than``
    (a worker was down, the robot refused, the network failed …)."""
    before = timezone.now() - older_than
    return list(
        RobotMessage.objects.filter(
            Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=before),
            sent_at__isnull=True,
            attempts__lt=RobotMessage.MAX_ATTEMPTS,
            robot__is_enabled=True,
            created_at__lt=before,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def post_to_robot(robot, text, timeout=None):
    """Send ``text`` as a plain-text message; raises RobotError unless the robot answers
    errcode 0. Errors never carry the URL (its token is a secret)."""
    url = robot.webhook_url
    if robot.kind == GroupRobot.Kind.DINGTALK and robot.secret:
        url += "&" if "?" in url else "?"
        url += dingtalk_signature(robot.secret)
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False)
    request = Request(
        url,
        data=body.encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urlopen(request, timeout=timeout or settings.GROUP_ROBOT_TIMEOUT) as response:
            answer = response.read(65536)
    except HTTPError as failure:
        raise RobotError(f"HTTP {failure.code}") from None
    except (URLError, OSError) as failure:
        reason = getattr(failure, "reason", failure)
        raise RobotError(f"network error: {type(reason).__name__}") from None
    try:
        answer = json.loads(answer)
        errcode, errmsg = answer.get("errcode"), answer.get("errmsg", "")
    except (ValueError, AttributeError):
        raise RobotError("the robot's answer is not JSON") from None
    if errcode != 0:
        raise RobotError(f"errcode {errcode}: {errmsg}"[:300])


def dingtalk_signature(secret, timestamp_ms=None):
    """The query parameters of a DingTalk robot with 加签: the time in milliseconds and the
    base64 HMAC-SHA256 of "timestamp\nsecret" keyed by the secret, URL-encoded."""
    timestamp = str(timestamp_ms or int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return f"timestamp={timestamp}&sign={quote_plus(base64.b64encode(digest))}"
