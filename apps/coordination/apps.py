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
            seed_joint_meetings,
            seed_meeting_members,
            seed_pathway,
            seed_referral_year,
            seed_resources,
        )
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role

        demo.register(45, seed_coordination, activity=True)
        demo.register(46, seed_referral_year, activity=True)
        demo.register(47, seed_pathway, activity=True)
        demo.register(48, seed_incoming_referrals, activity=True)
        demo.register(49, seed_resources, activity=True)
        demo.register(50, seed_meeting_members)
        demo.register(51, seed_joint_meetings, activity=True)

        section = _("Social coordination")
        everyone_but_leaders = frozenset(
            {Role.DEPT_LIAISON, Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP}
        )
        navigation.register(
            navigation.NavItem(
                _("Referrals"),
                "coordination:referral-list",
                "send",
                roles=everyone_but_leaders,
                order=30,
                section=section,
            ),
            navigation.NavItem(
                _("Referrals to the federation"),
                "coordination:incoming-list",
                "box-arrow-in-down",
                roles=frozenset({Role.DEPT_LIAISON, Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF}),
                order=31,
                section=section,
            ),
            navigation.NavItem(
                _("Service directory"),
                "coordination:service-list",
                "journal-text",
                order=32,
                section=section,
            ),
            navigation.NavItem(
                _("Joint meetings"),
                "coordination:meeting-list",
                "people",
                roles=frozenset({Role.COUNTY_ADMIN, Role.LEADER, Role.DEPT_LIAISON}),
                order=33,
                section=section,
            ),
            navigation.NavItem(
                _("Department responsiveness"),
                "coordination:responsiveness",
                "speedometer2",
                roles=frozenset({Role.COUNTY_ADMIN, Role.DEPT_LIAISON, Role.LEADER}),
                order=33,
                section=section,
            ),
            navigation.NavItem(
                _("Resource ledger"),
                "coordination:resource-list",
                "cash-coin",
                roles=frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.LEADER}),
                order=34,
                section=section,
            ),
            navigation.NavItem(
                _("Hours given"),
                "coordination:hours-list",
                "clock-history",
                roles=frozenset({Role.VILLAGE_REP, Role.DEPT_LIAISON}),
                order=35,
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
