from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "apps.organizations"
    verbose_name = _("Organisation")

    def ready(self):
        from apps.core import demo, navigation
        from apps.core.roles import Role
        from apps.organizations.demo import seed_org_tree, seed_periods

        demo.register(10, seed_org_tree)
        demo.register(11, seed_periods)
        navigation.register(
            navigation.NavItem(_("Org units"), "organizations:orgunit-list", "diagram-3", order=80),
            navigation.NavItem(
                _("Periods"),
                "organizations:period-list",
                "calendar3",
                roles=frozenset({Role.COUNTY_ADMIN, Role.LEADER}),
                order=85,
            ),
        )
