"""Reminders about objectives, one per event per day: reports due within three days or
overdue (to the people who file them, and as counts to each unit's group robot), returned
reports not yet refiled, innovation claims awaiting review."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, User
from apps.core.deadlines import WARN_DAYS
from apps.core.roles import Role
from apps.notifications.models import GroupRobot
from apps.notifications.services import daily_key, notify_batch, notify_robots, robot_text
from apps.objectives.deadlines import cycle_ends, report_due
from apps.objectives.models import InnovationItem, ObjectivePlan, ProgressReport


def send_plan_reminders(plan, today=None):
    """All reminders for one plan; returns how many notifications were new."""
    today = today or timezone.localdate()
    messages = _report_reminders(plan, today) + _returned_reminders(plan, today)
    messages += _innovation_reminders(plan, today)
    return len(notify_batch(messages))


def _report_reminders(plan, today):
    leaves = list(
        plan.objectives.leaves()
        .filter(published_at__isnull=False)
        .select_related("plan__period", "assignee_unit")
    )
    filed = set(
        ProgressReport.objects.filter(objective__plan=plan).values_list("objective_id", "cycle_end")
    )
    due_events = []
    for objective in leaves:
        for cycle in cycle_ends(objective):
            due = report_due(objective, cycle)
            if (objective.pk, cycle) in filed or due > today + timedelta(days=WARN_DAYS):
                continue
            overdue = due < today
            due_events.append((objective, cycle, due, overdue))
    recipients = _people_of([objective for objective, *_rest in due_events])
    # One summary per person and kind a day, however many objectives she carries.
    lines = defaultdict(list)
    for objective, cycle, due, overdue in due_events:
        line = _("%(objective)s (cycle ending %(cycle)s, due %(due)s)") % {
            "objective": objective.title,
            "cycle": cycle,
            "due": due,
        }
        for user in recipients(objective):
            lines[(user, overdue)].append(line)
    messages = []
    for (user, overdue), items in lines.items():
        title = (
            _("%(count)s progress reports are overdue")
            if overdue
            else _("%(count)s progress reports are due within 3 days")
        ) % {"count": len(items)}
        kind = "reports-overdue" if overdue else "reports-due"
        body = "\n".join(items[:10]) + ("\n…" if len(items) > 10 else "")
        url = reverse("objectives:plan-list")
        messages.append((user, daily_key(kind, user.pk, day=today), title, body, url))
    _tell_groups(due_events, today)
    return messages


def _tell_groups(due_events, today):
    """Each assignee unit's group robot (if it has one) hears how many of its reports are
    overdue or due soon, with a link: objectives are the unit's own work, but the message
    stays a count, like every group message."""
    overdue, due_soon, units = defaultdict(int), defaultdict(int), {}
    for objective, _cycle, _due, is_overdue in due_events:
        units[objective.assignee_unit_id] = objective.assignee_unit
        (overdue if is_overdue else due_soon)[objective.assignee_unit_id] += 1
    url = reverse("objectives:plan-list")
    messages = []
    for unit_id, unit in units.items():
        lines = [
            text % {"count": counts[unit_id]}
            for counts, text in (
                (overdue, _("%(count)s progress reports are overdue")),
                (due_soon, _("%(count)s progress reports are due within 3 days")),
            )
            if counts[unit_id]
        ]
        title = _("%(unit)s: progress reports to file") % {"unit": unit.name}
        key = daily_key("objective-reports", unit_id, day=today)
        messages.append((unit, key, GroupRobot.Event.REMINDER, robot_text(title, lines, url=url)))
    notify_robots(messages)


def _people_of(objectives):
    """Who reports on each objective (the named person, or everyone in the unit), read in two
    queries for the whole batch; returns a lookup function."""
    units = {o.assignee_unit_id for o in objectives if not o.assignee_person_id}
    persons = {o.assignee_person_id for o in objectives if o.assignee_person_id}
    by_unit = defaultdict(list)
    memberships = Membership.objects.filter(unit_id__in=units, user__is_active=True)
    for membership in memberships.select_related("user"):
        by_unit[membership.unit_id].append(membership.user)
    by_pk = User.objects.in_bulk(persons)

    def recipients(objective):
        if objective.assignee_person_id:
            return [by_pk[objective.assignee_person_id]]
        return by_unit[objective.assignee_unit_id]

    return recipients


def _returned_reminders(plan, today):
    returned = ProgressReport.objects.filter(
        objective__plan=plan, status=ProgressReport.Status.RETURNED
    ).select_related("objective", "submitted_by")
    return [
        (
            report.submitted_by,
            daily_key("report-returned-open", report.pk, day=today),
            _("Returned report not yet refiled: %(objective)s")
            % {"objective": report.objective.title},
            report.review_comment,
            report.get_absolute_url(),
        )
        for report in returned
    ]


def _innovation_reminders(plan, today):
    waiting = plan.innovation_items.filter(status=InnovationItem.Status.CLAIMED).aggregate(
        count=Count("pk")
    )["count"]
    if not waiting:
        return []
    reviewers = User.objects.working_in([plan.unit], role=Role.COUNTY_ADMIN)
    title = _("%(count)s innovation items await review") % {"count": waiting}
    key = daily_key("innovation-pending", plan.pk, day=today)
    return [
        (user, key, title, "", reverse("objectives:innovation-list", args=[plan.pk]))
        for user in reviewers
    ]


def plans_to_remind():
    return ObjectivePlan.objects.filter(
        status=ObjectivePlan.Status.PUBLISHED, period__is_closed=False
    ).values_list("pk", flat=True)
