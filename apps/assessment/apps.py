from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "apps.assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from apps.assessment import sources  # noqa: F401 (register the data sources)
        from apps.assessment.demo import seed_assessment
        from apps.core import demo, navigation, schedules
        from apps.core.roles import Role

        demo.register(70, seed_assessment, activity=True)

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
        navigation.register(
            navigation.NavItem(
                _("Assessment schemes"),
                "assessment:scheme-list",
                "list-check",
                roles=frozenset(
                    {Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON}
                ),
                order=44,
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
