from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role
        from apps.supervision import deadlines, todo  # noqa: F401 (register their kinds)
        from apps.supervision.demo import seed_inspections, seed_supervision

        demo.register(50, seed_supervision, activity=True)
        demo.register(51, seed_inspections, activity=True)

        section = _("Supervision")
        readers = frozenset(
            {Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON}
        )
        navigation.register(
            navigation.NavItem(
                _("Supervised items"),
                "supervision:item-list",
                "flag",
                roles=readers,
                order=40,
                section=section,
            ),
            navigation.NavItem(
                _("Assign an item"),
                "supervision:item-create",
                "plus-square",
                roles=frozenset({Role.COUNTY_ADMIN}),
                order=41,
                section=section,
            ),
            navigation.NavItem(
                _("Inspections"),
                "supervision:inspection-list",
                "clipboard-check",
                roles=readers,
                order=42,
                section=section,
            ),
        )
        schedules.register(
            schedules.DefaultSchedule(
                name="supervision.send_reminders",
                task="apps.supervision.tasks.send_reminders",
                description=_("Urge supervised items by their lights and issue slips"),
                every_minutes=60,
            )
        )
