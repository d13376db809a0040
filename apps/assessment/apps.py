from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "apps.assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from apps.assessment import sources  # noqa: F401 (register the data sources)
