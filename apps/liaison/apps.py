from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "apps.liaison"
    verbose_name = _("Representative liaison")

    def ready(self):
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role
        from apps.liaison import deadlines, todo  # noqa: F401 (register their kinds)
        from apps.liaison.demo import seed_liaison

        demo.register(40, seed_liaison, activity=True)

        staff = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF})
        section = _("Representative liaison")
        navigation.register(
            navigation.NavItem(
                _("My liaison work"),
                "liaison:home",
                "people",
                roles=frozenset({Role.VILLAGE_REP}),
                order=20,
                section=section,
            ),
            # Leaders and department liaisons open no case: they work from coverage counts.
            navigation.NavItem(
                _("Cases"),
                "liaison:case-list",
                "chat-heart",
                roles=staff | {Role.VILLAGE_REP},
                order=21,
                section=section,
            ),
            navigation.NavItem(
                _("Representatives"),
                "liaison:representative-list",
                "person-badge",
                roles=staff,
                order=22,
                section=section,
            ),
            navigation.NavItem(
                _("Liaison coverage"),
                "liaison:coverage",
                "pie-chart",
                roles=staff | {Role.LEADER},
                order=23,
                section=section,
            ),
        )
        schedules.register(
            schedules.DefaultSchedule(
                name="liaison.send_reminders",
                task="apps.liaison.tasks.send_reminders",
                description=_("Remind about overdue visits, idle representatives and stuck cases"),
                every_minutes=60,
            )
        )
