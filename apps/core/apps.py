from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self):
        from apps.core import checks, deadlines, lookups, navigation, schedules  # noqa: F401 (checks, lookups register)

        deadlines.connect_signals()
        schedules.connect(sender=self)
        navigation.register(navigation.NavItem(_("Home"), "core:home", "house", order=0))
