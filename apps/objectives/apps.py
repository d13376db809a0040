from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "apps.objectives"
    verbose_name = _("Objective management")

    def ready(self):
        from apps.core import navigation
        from apps.core.roles import Role

        navigation.register(
            navigation.NavItem(_("Objectives"), "objectives:plan-list", "bullseye", order=10),
            navigation.NavItem(
                _("Report review"),
                "objectives:report-list",
                "clipboard-check",
                roles=frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF}),
                order=11,
            ),
            navigation.NavItem(
                _("Rankings"),
                "objectives:score-list",
                "bar-chart",
                roles=frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.LEADER}),
                order=12,
            ),
            navigation.NavItem(_("Rewards"), "objectives:reward-list", "award", order=13),
        )
