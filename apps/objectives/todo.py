"""Objectives' to-do items: reports to file or refile, reports to review, innovation claims to
review, rewards to confirm and to approve. One query per kind."""

from datetime import timedelta
from functools import reduce
from operator import or_

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import deadlines, todo
from apps.core.permissions import WORKING_ROLES
from apps.core.roles import Role
from apps.objectives.deadlines import cycle_ends, report_due
from apps.objectives.models import Objective, ObjectivePlan, ProgressReport, Reward, UnitScore

REPORTERS = frozenset({Role.VILLAGE_REP, Role.TOWNSHIP_STAFF})


def reported_by(user, prefix=""):
    """Objectives ``user`` reports on (services.progress.can_report as one filter): personal
    ones named for her, and her units' own objectives that name nobody."""
    units = [m.unit_id for m in user.active_memberships if m.role in WORKING_ROLES]
    return Q(**{f"{prefix}assignee_person": user}) | Q(
        **{f"{prefix}assignee_person__isnull": True, f"{prefix}assignee_unit__in": units}
    )


class ReportDueTodo(todo.TodoKind):
    """A leaf objective of hers whose report for a cycle is overdue or due within WARN_DAYS and
    not filed: one item per objective, for its earliest such cycle."""

    name = "report-due"
    label = _("Report due")
    roles = REPORTERS
    deadline_kind = "objective"

    def items(self, user):
        filed = ProgressReport.objects.filter(objective=OuterRef("pk")).values("cycle_end")
        objectives = (
            Objective.objects.for_user(user)
            .filter(reported_by(user), children__isnull=True, published_at__isnull=False)
            .filter(plan__status=ObjectivePlan.Status.PUBLISHED, plan__period__is_closed=False)
            # The cycles are counted from the period's start by the plan's grace days; nothing
            # else of the page's details (assignee, parent) reaches the line.
            .select_related("plan__period")
            .annotate(filed_cycles=ArraySubquery(filed))
            .order_by("due_date", "pk")
        )
        horizon = timezone.localdate() + timedelta(days=deadlines.WARN_DAYS)
        due = []
        for objective in objectives:
            cycle = self.next_cycle(objective, horizon)
            if cycle is not None:
                objective.todo_cycle, objective.todo_due = cycle
                due.append(objective)
        return due

    def next_cycle(self, objective, horizon):
        """The earliest unfiled cycle whose report is due by ``horizon``, with its due date."""
        filed = set(objective.filed_cycles)
        for cycle in cycle_ends(objective):
            due = report_due(objective, cycle)
            if due > horizon:
                return None
            if cycle not in filed:
                return cycle, due
        return None

    def status_of(self, objective, now=None):
        today = timezone.localdate(now) if hasattr(now, "tzinfo") else now
        return deadlines.assess(objective.todo_due, today)

    def title_of(self, objective):
        return _("Report on %(objective)s for the cycle ending %(cycle)s") % {
            "objective": objective.title,
            "cycle": objective.todo_cycle,
        }


class ReportReturnedTodo(todo.TodoKind):
    """A report of hers returned by the reviewer, to be refiled on the objective's page."""

    name = "report-returned"
    label = _("Report returned")
    roles = REPORTERS
    deadline_kind = "progress-report"

    def items(self, user):
        return (
            ProgressReport.objects.for_user(user)
            .filter(reported_by(user, "objective__"), status=ProgressReport.Status.RETURNED)
            # The line names the objective and links to it; who filed or reviewed is not shown.
            .select_related("objective")
            .order_by("reviewed_at", "pk")
        )

    def title_of(self, report):
        return _("Refile the returned report on %(objective)s (cycle ending %(cycle)s)") % {
            "objective": report.objective.title,
            "cycle": report.cycle_end,
        }

    def url_of(self, report):
        return reverse("objectives:objective-detail", args=[report.objective_id])


class ReportReviewTodo(todo.TodoKind):
    """Reports awaiting the user's review, oldest first: for township staff everything their
    villages file (ProgressReportQuerySet.awaiting_review_by); for county staff what the county
    itself handed down (the townships' reports), not every village's in the county."""

    name = "report-review"
    label = _("Report to review")
    roles = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF})
    deadline_kind = "progress-report"

    def items(self, user):
        # Handed down by one of her own units is narrower than awaiting_review_by's rule (her
        # units lie in her area), so it alone picks the reports: the area rule's two joins more
        # made this the costliest query of the list to plan (1.1 ms of planning, 0.7 without).
        waiting = ProgressReport.objects.for_user(user).submitted_by_others(user)
        # Only what the title names: the objective and the unit it was handed to. The plan, the
        # filer and the reviewer of the page's details cost planning time too.
        return (
            waiting.filter(self.handed_down_by(user))
            .select_related("objective__assignee_unit")
            .order_by("submitted_at", "pk")
        )

    def handed_down_by(self, user):
        rules = [Q(pk__in=[])]
        for membership in user.active_memberships:
            unit = membership.unit
            if membership.role == Role.TOWNSHIP_STAFF:
                rules.append(
                    Q(objective__parent__assignee_unit__path__startswith=unit.path)
                    | Q(
                        objective__parent__isnull=True,
                        objective__plan__unit__path__startswith=unit.path,
                    )
                )
            elif membership.role == Role.COUNTY_ADMIN:
                rules.append(
                    Q(objective__parent__assignee_unit=unit)
                    | Q(objective__parent__isnull=True, objective__plan__unit=unit)
                )
        return reduce(or_, rules)

    def title_of(self, report):
        return f"{report.objective.assignee_unit} · {report}"


class InnovationReviewTodo(todo.TodoKind):
    """Innovation claims awaiting the county's review."""

    name = "innovation-review"
    label = _("Innovation claim to review")
    roles = frozenset({Role.COUNTY_ADMIN})
    deadline_kind = "innovation-item"

    def items(self, user):
        return self.deadline.open_items(user)


class RewardStepTodo(todo.TodoKind):
    """Rewards waiting for this role's step: ``status`` is the state the step starts from."""

    deadline_kind = "reward"
    status = ""

    def items(self, user):
        return self.deadline.open_items(user).filter(status=self.status)


class RewardConfirmTodo(RewardStepTodo):
    name = "reward-confirm"
    label = _("Reward to confirm")
    roles = frozenset({Role.COUNTY_ADMIN})
    status = Reward.Status.PROPOSED


class RewardApproveTodo(RewardStepTodo):
    name = "reward-approve"
    label = _("Reward to approve")
    roles = frozenset({Role.LEADER})
    status = Reward.Status.CONFIRMED


todo.register(ReportDueTodo())
todo.register(ReportReturnedTodo())
todo.register(ReportReviewTodo())
todo.register(InnovationReviewTodo())
todo.register(RewardConfirmTodo())
todo.register(RewardApproveTodo())


def score_card(user):
    """Her own latest score and rank, or, where she is not scored in person, her unit's."""
    units = [m.unit_id for m in user.active_memberships]
    score = (
        UnitScore.objects.for_user(user)
        .filter(Q(person=user) | Q(person__isnull=True, unit__in=units))
        .select_related("unit", "plan__period")
        .order_by(F("person").asc(nulls_last=True), "-plan__period__start_date", "-pk")
        .first()
    )
    if score is None:
        return None
    return todo.TodoCard(
        label=_("My score") if score.person_id else _("My unit's score"),
        value=str(score.score),
        detail=_("%(grade)s · ranked %(rank)s among %(level)s · %(plan)s")
        % {
            "grade": score.get_grade_display(),
            "rank": score.rank or "—",
            "level": score.get_level_display(),
            "plan": score.plan.period,
        },
        url=reverse("objectives:score-detail", args=[score.pk]),
    )


todo.register_card({Role.VILLAGE_REP}, score_card)
