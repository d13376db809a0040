"""Rollups the dashboards read instead of the raw logs: one row per unit per month (and the
objectives' lights per unit per period), refreshed set-based by the nightly job
(services.refresh_rollups). Each month's (period's) rows are rewritten whole, so rerunning the
job gives the same numbers.

Each table holds two kinds of row. A unit's own row counts the records of that unit; its area
row (``whole_area``) counts those of the unit and of every unit below it, summed from the own
rows by the same job. A dashboard reads the area rows of the unit's children, one row each,
whatever the size of the tree below them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import ScopedModel
from apps.organizations.models import OrgUnit, Period

RISKS = ("green", "yellow", "orange", "red")


def whole_area_field():
    return models.BooleanField(
        _("whole area"),
        default=False,
        help_text=_("The figures of the unit and of every unit below it, not its own only."),
    )


class UnitMonth(ScopedModel):
    """Liaison figures of a village and referral figures of a department for one month.

    Liaison (a village): households linked (at the time of the refresh), households visited in
    the month and from the start of the year to the month's end, visits made and due by risk
    colour, cases opened and those answered in time. Coordination (a department): referrals
    received in the month, accepted and completed, each on time or not, and the hours they took
    (summed, so that averages over any months and departments stay exact).
    """

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))  # its first day
    whole_area = whole_area_field()
    households_linked = models.PositiveIntegerField(_("households linked"), default=0)
    households_visited = models.PositiveIntegerField(_("households visited"), default=0)
    households_visited_ytd = models.PositiveIntegerField(
        _("households visited this year"), default=0
    )
    visits = models.PositiveIntegerField(_("visits"), default=0)
    visits_due_green = models.PositiveIntegerField(default=0)
    visits_due_yellow = models.PositiveIntegerField(default=0)
    visits_due_orange = models.PositiveIntegerField(default=0)
    visits_due_red = models.PositiveIntegerField(default=0)
    visits_made_green = models.PositiveIntegerField(default=0)
    visits_made_yellow = models.PositiveIntegerField(default=0)
    visits_made_orange = models.PositiveIntegerField(default=0)
    visits_made_red = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(_("cases"), default=0)
    cases_on_time = models.PositiveIntegerField(_("cases answered in time"), default=0)
    referrals = models.PositiveIntegerField(_("referrals received"), default=0)
    referrals_accepted = models.PositiveIntegerField(default=0)
    referrals_accepted_on_time = models.PositiveIntegerField(default=0)
    referrals_completed = models.PositiveIntegerField(default=0)
    referrals_completed_on_time = models.PositiveIntegerField(default=0)
    referrals_declined = models.PositiveIntegerField(default=0)
    hours_to_accept = models.FloatField(default=0)
    hours_to_complete = models.FloatField(default=0)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly figures")
        verbose_name_plural = _("monthly figures")
        ordering = ["month", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "whole_area"], name="unitmonth_one_per_month"
            )
        ]
        indexes = [models.Index(fields=["month", "unit"], name="unitmonth_month_unit")]

    def __str__(self):
        return f"{self.unit_id} · {self.month:%Y-%m}"


class CaseMonth(ScopedModel):
    """Cases a village opened in one month in one category: counts only, sensitive ones too."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    whole_area = whole_area_field()
    category = models.CharField(_("category"), max_length=12)
    cases = models.PositiveIntegerField(_("cases"), default=0)
    sensitive = models.PositiveIntegerField(_("sensitive"), default=0)
    on_time = models.PositiveIntegerField(_("answered in time"), default=0)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly cases")
        verbose_name_plural = _("monthly cases")
        ordering = ["month", "unit", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "category", "whole_area"],
                name="casemonth_one_per_category",
            )
        ]
        indexes = [models.Index(fields=["month", "unit"], name="casemonth_month_unit")]

    def __str__(self):
        return f"{self.unit_id} · {self.month:%Y-%m} · {self.category}"


class ObjectiveTally(ScopedModel):
    """Published leaf objectives of one period assigned to one unit in one category, counted
    under each light of the deadline engine as it stood on the night of ``computed_at`` (done
    work and a closed period's count as on track). Counts only: no title, no person."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    whole_area = whole_area_field()
    category = models.CharField(_("category"), max_length=16)
    # One column per light, named as the engine's reasons (apps.core.deadlines.Reason).
    on_track = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)
    behind = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("objective lights")
        verbose_name_plural = _("objective lights")
        ordering = ["period", "unit", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "category", "whole_area"],
                name="objectivetally_one_per_category",
            )
        ]
        indexes = [models.Index(fields=["period", "unit"], name="objectivetally_period_unit")]

    def __str__(self):
        return f"{self.unit_id} · {self.period_id} · {self.category}"
