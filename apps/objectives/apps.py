from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "apps.objectives"
    verbose_name = _("Objective management")

    def ready(self):
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role
        from apps.objectives import deadlines, todo  # noqa: F401 (register their kinds)
        from apps.objectives.demo import seed_last_year, seed_objectives

        demo.register(30, seed_objectives, activity=True)
        demo.register(31, seed_last_year, activity=True)

        schedules.register(
            schedules.DefaultSchedule(
                name="objectives.score_open_plans",
                task="apps.objectives.tasks.score_open_plans",
                description=_("Score every published plan of an open period"),
                cron="30 1 * * *",
            ),
            schedules.DefaultSchedule(
                name="objectives.send_reminders",
                task="apps.objectives.tasks.send_reminders",
                description=_("Remind about reports due, returned reports and pending claims"),
                every_minutes=60,
            ),
        )

        section = _("Objective management")
        navigation.register(
            navigation.NavItem(
                _("Objective plans"), "objectives:plan-list", "bullseye", order=10, section=section
            ),
            navigation.NavItem(
                _("Report review"),
                "objectives:report-list",
                "clipboard-check",
                roles=frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF}),
                order=11,
                section=section,
            ),
            navigation.NavItem(
                _("Rankings"),
                "objectives:score-list",
                "bar-chart",
                roles=frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.LEADER}),
                order=12,
                section=section,
            ),
            navigation.NavItem(
                _("Rewards"), "objectives:reward-list", "award", order=13, section=section
            ),
        )
