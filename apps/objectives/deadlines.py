"""Objectives' kinds of the deadline engine: objectives (due date and pace, measured at their
reporting cycles) and progress reports (awaiting review, or returned to be refiled)."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import deadlines
from apps.core.deadlines import Light, Reason, Rule, Status
from apps.objectives.models import (
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
)

REPORT_RULES = {
    # A reviewer decides on a submitted report within five working days …
    ProgressReport.Status.SUBMITTED: Rule(days=5, working_days=True),
    # … and a returned report is refiled within five working days.
    ProgressReport.Status.RETURNED: Rule(days=5, working_days=True),
}


def cycle_ends(objective):
    """The last days of the reporting cycles from the period start to the due date."""
    start = objective.plan.period.start_date
    step = 1 if objective.report_frequency == Objective.Frequency.MONTHLY else 3
    ends, month, year = [], start.month, start.year
    while True:
        month += step
        if month > 12:
            month, year = month - 12, year + 1
        end = start.replace(year=year, month=month, day=1) - timedelta(days=1)
        if end >= objective.due_date:
            ends.append(objective.due_date)
            return ends
        ends.append(end)


def report_due(objective, cycle_end):
    """The day a cycle's report is due: the plan's grace days after the cycle's end, moved off a
    weekend or holiday onto the next working day."""
    return deadlines.due_after(cycle_end, objective.plan.report_grace_days)


def last_reportable_cycle(objective, today):
    """The end of the last cycle whose report was due by ``today`` (None before the first)."""
    reportable = [c for c in cycle_ends(objective) if report_due(objective, c) <= today]
    return reportable[-1] if reportable else None


class ObjectiveDeadlines(deadlines.DeadlineKind):
    """An objective is judged by its due date and by approved progress against the even pace up
    to its last reportable cycle: work on pace but not yet due its next report is not behind."""

    name = "objective"
    label = _("Objective")

    def open_items(self, user):
        """Published, unfinished objectives of published plans of open periods in the user's
        area."""
        return (
            Objective.objects.for_user(user)
            .filter(published_at__isnull=False, plan__status=ObjectivePlan.Status.PUBLISHED)
            .filter(plan__period__is_closed=False)
            .filter(Q(completion__isnull=True) | Q(completion__lt=1))
            .with_details()
            .order_by("due_date", "pk")
        )

    def status_of(self, objective, now=None):
        if objective.plan.period.is_closed:
            return Status(Light.GREEN, Reason.CLOSED, objective.due_date)
        today = timezone.localdate(now) if hasattr(now, "tzinfo") else now
        today = today or timezone.localdate()
        start = objective.plan.period.start_date
        completion = min(objective.completion or Decimal(0), objective.plan.completion_cap)
        return deadlines.assess(
            objective.due_date,
            today,
            start=start,
            completion=completion,
            pace_until=last_reportable_cycle(objective, today) or start,
            done=completion >= 1,
        )

    def title_of(self, objective):
        return objective.title


class ProgressReportDeadlines(deadlines.DeadlineKind):
    """A submitted report awaits a review; a returned one awaits refiling. Approved is done."""

    name = "progress-report"
    label = _("Progress report")
    default_rules = REPORT_RULES

    def open_items(self, user):
        """Reports in the user's area awaiting a review or a refiling, oldest first (who acts
        on which is the caller's choice: a reviewer the submitted, a reporter the returned)."""
        return (
            ProgressReport.objects.for_user(user)
            .filter(status__in=list(REPORT_RULES))
            .with_details()
            .order_by("submitted_at", "pk")
        )

    def due_of(self, report):
        if report.status == ProgressReport.Status.RETURNED and report.reviewed_at:
            return self.deadline_after(timezone.localdate(report.reviewed_at), report.status)
        return self.deadline_after(timezone.localdate(report.submitted_at), report.status)

    def status_of(self, report, now=None):
        if report.status not in REPORT_RULES:
            return Status(Light.GREEN, Reason.DONE, None)
        today = timezone.localdate(now) if hasattr(now, "tzinfo") else now
        return deadlines.assess(self.due_of(report), today, warn_days=1)

    def title_of(self, report):
        return str(report)


OBJECTIVES = deadlines.register(ObjectiveDeadlines())
REPORTS = deadlines.register(ProgressReportDeadlines())


class InnovationDeadlines(deadlines.DeadlineKind):
    """A claimed innovation awaits the county's review; awarded or not, it is done."""

    name = "innovation-item"
    label = _("Innovation claim")
    default_rules = {InnovationItem.Status.CLAIMED: Rule(days=10, working_days=True)}

    def open_items(self, user):
        return (
            InnovationItem.objects.for_user(user)
            .filter(status=InnovationItem.Status.CLAIMED)
            # The title names the unit; the link needs only the plan's id.
            .select_related("unit")
            .order_by("created_at", "pk")
        )

    def status_of(self, item, now=None):
        if item.status != InnovationItem.Status.CLAIMED:
            return Status(Light.GREEN, Reason.DONE, None)
        today = timezone.localdate(now) if hasattr(now, "tzinfo") else now
        due = self.deadline_after(timezone.localdate(item.created_at), item.status)
        return deadlines.assess(due, today)

    def title_of(self, item):
        return f"{item.unit} · {item.title}"


class RewardDeadlines(deadlines.DeadlineKind):
    """A proposed reward awaits a county admin's confirmation, a confirmed one a leader's
    approval, each counted from its last step; approved it waits only to be published."""

    name = "reward"
    label = _("Reward")
    default_rules = {
        Reward.Status.PROPOSED: Rule(days=10, working_days=True),
        Reward.Status.CONFIRMED: Rule(days=5, working_days=True),
    }

    def open_items(self, user):
        return (
            Reward.objects.for_user(user)
            .filter(status__in=list(self.default_rules))
            .select_related("unit", "person")
            .order_by("updated_at", "pk")
        )

    def status_of(self, reward, now=None):
        if reward.status not in self.default_rules:
            return Status(Light.GREEN, Reason.DONE, None)
        today = timezone.localdate(now) if hasattr(now, "tzinfo") else now
        due = self.deadline_after(timezone.localdate(reward.updated_at), reward.status)
        return deadlines.assess(due, today)

    def title_of(self, reward):
        return str(reward)

    def url_of(self, reward):
        # The plan's reward list, showing only the rewards at this step.
        return f"{reward.get_absolute_url()}&status={reward.status}"


INNOVATION_ITEMS = deadlines.register(InnovationDeadlines())
REWARDS = deadlines.register(RewardDeadlines())
