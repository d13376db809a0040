from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "apps.dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role
        from apps.dashboards.demo import seed_rollups
        from apps.dashboards.services import VIEWER_ROLES, connect_signals

        connect_signals(self)

        # Last: the rollups read what every other seeder wrote.
        demo.register(90, seed_rollups, activity=True)
        navigation.register(
            navigation.NavItem(
                _("Dashboard"),
                "dashboards:index",
                "speedometer2",
                roles=frozenset(VIEWER_ROLES),
                order=5,
                # A leader's home opens onto the dashboard instead of eight link tiles.
                featured_for=frozenset({Role.LEADER}),
            )
        )

        schedules.register(
            schedules.DefaultSchedule(
                name="dashboards.refresh_rollups",
                task="apps.dashboards.tasks.refresh_rollups",
                description=_("Refresh the dashboards' monthly figures"),
                cron="15 2 * * *",
            ),
            schedules.DefaultSchedule(
                name="dashboards.send_weekly_digest",
                task="apps.dashboards.tasks.send_weekly_digest",
                description=_("Send leaders the weekly dashboard digest"),
                cron="0 8 * * 1",
            ),
        )
