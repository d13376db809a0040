"""The in-app inbox; each notification may also go out by e-mail. A unit's group robot
(WeCom or DingTalk) gets its own messages through an outbox of the same shape."""

from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.querysets import ScopedQuerySet
from apps.notifications.querysets import NotificationQuerySet


class Notification(models.Model):
    """One message to one user.

    ``key`` names the event (``"objective-due:42:2026-11-27"``); it is unique per recipient, so
    the same reminder for the same event and day is never stored or sent twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    key = models.CharField(_("event key"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_requested = models.BooleanField(_("e-mail requested"), default=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key"),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="notification_unread_inbox",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class GroupRobot(models.Model):
    """A unit's 企业微信 (WeCom) or 钉钉 (DingTalk) group robot, kept by county admins in the
    admin site: reminders and escalations about the unit's work also go to the group of its
    staff, one message per event, never one per person. The webhook URL (and DingTalk's 加签
    secret) are secrets: shown masked everywhere but the robot's own change form."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    class Event(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Escalation")

    scope_field = "unit"

    unit = models.OneToOneField(
        "organizations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="group_robot",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    webhook_url = models.URLField(
        _("webhook URL"),
        max_length=500,
        help_text=_(
            "WeCom: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; "
            "DingTalk: https://oapi.dingtalk.com/robot/send?access_token=…"
        ),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "DingTalk robots with signing only: the secret that starts with SEC. "
            "Leave it empty to keep the one stored."
        ),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    sends_reminders = models.BooleanField(_("send reminders"), default=True)
    sends_escalations = models.BooleanField(_("send escalations"), default=True)
    last_attempt_at = models.DateTimeField(_("last delivery"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["unit__path"]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"

    def clean(self):
        super().clean()
        token = TOKEN_PARAMETERS.get(self.kind)
        if token and self.webhook_url and token not in parse_qs(urlsplit(self.webhook_url).query):
            raise ValidationError(
                {
                    "webhook_url": _("This is not a robot webhook URL: it has no %(name)s.")
                    % {"name": token}
                }
            )
        if self.secret and self.kind != self.Kind.DINGTALK:
            raise ValidationError({"secret": _("Only DingTalk robots are signed.")})

    @property
    def masked_url(self):
        return mask_webhook_url(self.webhook_url)

    def wants(self, event):
        """Whether this robot takes messages of ``event`` (a GroupRobot.Event)."""
        if not self.is_enabled:
            return False
        return self.sends_escalations if event == self.Event.ESCALATION else self.sends_reminders


# The query parameter that carries each kind of robot's secret token.
TOKEN_PARAMETERS = {GroupRobot.Kind.WECOM: "key", GroupRobot.Kind.DINGTALK: "access_token"}


def mask_webhook_url(url):
    """The URL with its secret token cut to four characters, for lists and logs."""
    parts = urlsplit(url or "")
    query = [
        (name, f"{value[:4]}****" if name in TOKEN_PARAMETERS.values() else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


class RobotMessage(models.Model):
    """One message to one unit's group robot: the robot's outbox and the log of its delivery.

    ``key`` names the event as a notification's does; it is unique per robot, so the same
    reminder reaches a group once however often the reminder run repeats. A post that fails
    is tried again by the outbox task until ``MAX_ATTEMPTS``."""

    MAX_ATTEMPTS = 5

    scope_field = "robot__unit"

    robot = models.ForeignKey(
        GroupRobot, verbose_name=_("group robot"), on_delete=models.CASCADE, related_name="messages"
    )
    key = models.CharField(_("event key"), max_length=200)
    event = models.CharField(_("event"), max_length=16, choices=GroupRobot.Event.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group robot message")
        verbose_name_plural = _("group robot messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["robot", "key"], name="robot_message_once_per_key"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="robot_message_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.text[:50]

    @property
    def gave_up(self):
        return self.sent_at is None and self.attempts >= self.MAX_ATTEMPTS
