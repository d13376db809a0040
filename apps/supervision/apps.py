from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role
        from apps.supervision import deadlines, todo  # noqa: F401 (register their kinds)
        from apps.supervision.demo import (
            seed_decisions_under_supervision,
            seed_inspections,
            seed_supervision,
            seed_supervision_progress,
        )

        demo.register(52, seed_supervision, activity=True)
        demo.register(53, seed_supervision_progress, activity=True)
        demo.register(54, seed_inspections, activity=True)
        # After the joint meetings (coordination, 51): their overdue decisions are taken over.
        demo.register(60, seed_decisions_under_supervision, activity=True)

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
                _("Supervision reports"),
                "supervision:reports",
                "bar-chart",
                roles=readers,
                order=42,
                section=section,
            ),
            navigation.NavItem(
                _("Feedback approval by unit"),
                "supervision:unit-settings",
                "person-check",
                roles=frozenset({Role.COUNTY_ADMIN}),
                order=43,
                section=section,
            ),
            navigation.NavItem(
                _("Inspections"),
                "supervision:inspection-list",
                "clipboard-check",
                roles=readers,
                order=44,
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
