from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "apps.coordination"
    verbose_name = _("Social coordination")

    def ready(self):
        from apps.coordination import deadlines, todo  # noqa: F401 (register their kinds)
        from apps.coordination.demo import (
            seed_coordination,
            seed_incoming_referrals,
            seed_pathway,
            seed_referral_year,
        )
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role

        demo.register(45, seed_coordination, activity=True)
        demo.register(46, seed_referral_year, activity=True)
        demo.register(47, seed_pathway, activity=True)
        demo.register(48, seed_incoming_referrals, activity=True)

        section = _("Social coordination")
        navigation.register(
            navigation.NavItem(
                _("Referrals"),
                "coordination:referral-list",
                "send",
                roles=frozenset(
                    {Role.DEPT_LIAISON, Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP}
                ),
                order=30,
                section=section,
            ),
            navigation.NavItem(
                _("Referrals to the federation"),
                "coordination:incoming-list",
                "box-arrow-in-down",
                roles=frozenset({Role.DEPT_LIAISON, Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF}),
                order=32,
                section=section,
            ),
            navigation.NavItem(
                _("Service directory"),
                "coordination:service-list",
                "journal-text",
                order=31,
                section=section,
            ),
            navigation.NavItem(
                _("Department responsiveness"),
                "coordination:responsiveness",
                "speedometer2",
                roles=frozenset({Role.COUNTY_ADMIN, Role.DEPT_LIAISON, Role.LEADER}),
                order=32,
                section=section,
            ),
        )
        schedules.register(
            schedules.DefaultSchedule(
                name="coordination.send_reminders",
                task="apps.coordination.tasks.send_reminders",
                description=_("Remind departments and their supervisors of late referrals"),
                every_minutes=60,
            )
        )
