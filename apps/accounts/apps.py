from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from apps.accounts.demo import seed_demo_accounts, seed_unit_staff
        from apps.core import demo, navigation
        from apps.core.roles import Role

        demo.register(20, seed_demo_accounts)
        demo.register(21, seed_unit_staff)
        navigation.register(
            navigation.NavItem(
                _("Administration"),
                "admin:index",
                "gear",
                roles=frozenset({Role.COUNTY_ADMIN}),
                order=99,
            )
        )
