from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "apps.coordination"
    verbose_name = _("Social coordination")

    def ready(self):
        from apps.coordination import deadlines, todo  # noqa: F401 (register their kinds)
        from apps.coordination.demo import (
            seed_coordination,
            seed_joint_meetings,
            seed_meeting_members,
        )
        from apps.core import demo, navigation
        from apps.core.roles import Role

        demo.register(45, seed_coordination, activity=True)
        demo.register(46, seed_meeting_members)
        demo.register(47, seed_joint_meetings, activity=True)

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
                _("Service directory"),
                "coordination:service-list",
                "journal-text",
                order=31,
                section=section,
            ),
            navigation.NavItem(
                _("Joint meetings"),
                "coordination:meeting-list",
                "people",
                roles=frozenset({Role.COUNTY_ADMIN, Role.LEADER, Role.DEPT_LIAISON}),
                order=32,
                section=section,
            ),
        )
