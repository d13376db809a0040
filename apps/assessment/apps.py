from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "apps.assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from apps.assessment import sources  # noqa: F401 (register the data sources)
        from apps.core import navigation, schedules
        from apps.core.roles import Role

        navigation.register(
            navigation.NavItem(
                _("Assessment results"),
                "assessment:result-list",
                "trophy",
                roles=frozenset(
                    {Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON}
                ),
                order=45,
                section=_("Supervision and assessment"),
            )
        )
        schedules.register(
            schedules.DefaultSchedule(
                name="assessment.score_open_schemes",
                task="apps.assessment.tasks.score_open_schemes",
                description=_("Score the current round of every assessment scheme"),
                cron="45 1 * * *",
            )
        )
