from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.admin import CountyAdminOnly
from apps.notifications.models import GroupRobot, Notification, RobotMessage
from apps.organizations.models import OrgUnit


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at", "emailed_at"]
    list_filter = ["read_at", "emailed_at"]
    search_fields = ["title", "key", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


def https_url_fields(db_field, **kwargs):
    """A URL typed without a scheme is https (Django 6's default, and a robot's)."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class GroupRobotForm(forms.ModelForm):
    class Meta:
        formfield_callback = https_url_fields
        model = GroupRobot
        fields = [
            "unit",
            "kind",
            "webhook_url",
            "secret",
            "is_enabled",
            "sends_reminders",
            "sends_escalations",
        ]
        # The secret is written, never shown again: leave it empty to keep the stored one.
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "")
        if secret or self.cleaned_data.get("kind") != GroupRobot.Kind.DINGTALK:
            return secret
        return self.instance.secret if self.instance.pk else ""


@admin.register(GroupRobot)
class GroupRobotAdmin(CountyAdminOnly, admin.ModelAdmin):
    """A unit's WeCom or DingTalk group robot; the list shows each one's last delivery, and the
    webhook's token only masked."""

    form = GroupRobotForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "unit",
        "kind",
        "masked_webhook_url",
        "is_enabled",
        "sends_reminders",
        "sends_escalations",
        "last_attempt_at",
        "last_status",
    ]
    list_filter = ["kind", "is_enabled"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            # Only a unit in her own area: the robot hears about that unit's work.
            kwargs["queryset"] = OrgUnit.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("webhook URL"))
    def masked_webhook_url(self, robot):
        return robot.masked_url

    @admin.display(description=_("last delivery status"))
    def last_status(self, robot):
        if robot.last_attempt_at is None:
            return gettext("Nothing sent yet")
        if robot.last_error:
            return gettext("Failed: %(error)s") % {"error": robot.last_error}
        return gettext("Delivered")


@admin.register(RobotMessage)
class RobotMessageAdmin(CountyAdminOnly, admin.ModelAdmin):
    """The robots' outbox and delivery log: read only (the outbox task retries failures)."""

    list_display = [
        "created_at",
        "robot",
        "event",
        "short_text",
        "attempts",
        "last_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["event", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "robot__unit__name"]
    list_select_related = ["robot__unit"]
    date_hierarchy = "created_at"

    @admin.display(description=_("text"))
    def short_text(self, message):
        return message.text[:60]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
