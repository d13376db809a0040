from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from apps.core import navigation, schedules

        navigation.register(
            navigation.NavItem(_("Messages"), "notifications:inbox", "bell", order=90)
        )
        schedules.register(
            schedules.DefaultSchedule(
                name="notifications.deliver_undelivered_emails",
                task="apps.notifications.tasks.deliver_undelivered_emails",
                description=_("Retry e-mails that could not be sent"),
                every_minutes=10,
            ),
            schedules.DefaultSchedule(
                name="notifications.deliver_undelivered_robot_messages",
                task="apps.notifications.tasks.deliver_undelivered_robot_messages",
                description=_("Retry group-robot messages that could not be posted"),
                every_minutes=10,
            ),
        )
