"""Hourly reminders for referrals past a deadline (to accept, or to complete) and joint-meeting
decisions past theirs, worked out one department at a time and sent at most once per event per
day: to the department's liaisons one per referral or decision, to its supervisors (the county
federation staff of the federation the department hangs under) one summary of each. Titles
carry the category and the service, never the woman."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.coordination.deadlines import MEETING_DECISIONS, REFERRALS
from apps.coordination.models import MeetingDecision, Referral
from apps.core.roles import Role
from apps.notifications.models import GroupRobot
from apps.notifications.services import daily_key, notify_batch, notify_robots, robot_text

# At most this many referrals are named in a supervisor's summary.
SUMMARY_LINES = 20


def past_deadline(now):
    """Open referrals past the deadline of the step they wait for."""
    return Q(state=Referral.State.SENT, accept_due__lt=now) | Q(
        state__in=[Referral.State.ACCEPTED, Referral.State.IN_PROGRESS], complete_due__lt=now
    )


def decisions_past_deadline(now):
    """Open decisions (not handed over to supervision, which reminds of its own) past the
    deadline, a date: late from the day after it."""
    return MeetingDecision.objects.filter(
        state=MeetingDecision.State.OPEN, deadline__lt=timezone.localdate(now)
    )


def departments_to_remind(now=None):
    """Departments with a referral or a decision past its deadline: the unit of work of one
    reminder task."""
    now = now or timezone.now()
    referrals = Referral.objects.filter(past_deadline(now)).values_list("department", flat=True)
    decisions = decisions_past_deadline(now).values_list("owner", flat=True)
    return sorted(set(referrals) | set(decisions))


def supervisors_of(department):
    """County federation staff of the federation the department hangs under: who answers for
    the departments' responsiveness at that level (not every level above it, so a province's
    staff are not told of each county's referrals)."""
    return User.objects.working_in([department.parent_id], role=Role.COUNTY_ADMIN)


def send_department_reminders(department, now=None):
    """Every referral and decision reminder for one department; returns how many
    notifications were new."""
    now = now or timezone.now()
    liaisons = list(User.objects.working_in([department], role=Role.DEPT_LIAISON))
    supervisors = list(supervisors_of(department))
    messages = _referral_messages(department, now, liaisons, supervisors)
    messages += _decision_messages(department, now, liaisons, supervisors)
    _tell_group(department, now)
    return len(notify_batch(messages)) if messages else 0


def _tell_group(department, now):
    """The department's group robot (if it has one) hears how many referrals and decisions
    are late, with a link: counts only, since a referral's title names a woman's need and a
    group may hold more people than the liaisons a consented referral is shared with."""
    referrals = Referral.objects.filter(past_deadline(now), department=department).count()
    decisions = decisions_past_deadline(now).filter(owner=department).count()
    lines = []
    if referrals:
        lines.append(_("%(count)s referrals past their deadline") % {"count": referrals})
    if decisions:
        lines.append(
            _("%(count)s joint-meeting decisions past their deadline") % {"count": decisions}
        )
    if not lines:
        return
    title = _("%(unit)s: coordination reminders") % {"unit": department.name}
    text = robot_text(title, lines, url=reverse("coordination:referral-list"))
    key = daily_key("coordination-overdue", department.pk, day=timezone.localdate(now))
    notify_robots([(department, key, GroupRobot.Event.REMINDER, text)])


def _referral_messages(department, now, liaisons, supervisors):
    today = timezone.localdate(now)
    late = list(
        Referral.objects.filter(past_deadline(now), department=department)
        .select_related("service")
        .order_by("accept_due", "pk")
    )
    if not late:
        return []
    messages = []
    for referral in late:
        waiting_to_accept = referral.state == Referral.State.SENT
        title = (
            _("Referral not accepted in time: %(referral)s")
            if waiting_to_accept
            else _("Referral not completed in time: %(referral)s")
        ) % {"referral": REFERRALS.title_of(referral)}
        stage = "accept" if waiting_to_accept else "complete"
        key = daily_key("referral-overdue", referral.pk, stage, day=today)
        url = referral.get_absolute_url()
        messages += [(user, key, title, "", url) for user in liaisons]
    title = _("%(department)s has %(count)s referrals past their deadline") % {
        "department": department.name,
        "count": len(late),
    }
    body = "\n".join(REFERRALS.title_of(referral) for referral in late[:SUMMARY_LINES])
    key = daily_key("referrals-overdue", department.pk, day=today)
    url = reverse("coordination:responsiveness")
    return messages + [(user, key, title, body, url) for user in supervisors]


def _decision_messages(department, now, liaisons, supervisors):
    today = timezone.localdate(now)
    late = list(
        decisions_past_deadline(now)
        .filter(owner=department)
        .select_related("meeting")
        .order_by("deadline", "pk")
    )
    if not late:
        return []
    messages = []
    for decision in late:
        title = _("Joint-meeting decision past its deadline: %(decision)s") % {
            "decision": MEETING_DECISIONS.title_of(decision)
        }
        key = daily_key("decision-overdue", decision.pk, day=today)
        messages += [(user, key, title, "", decision.get_absolute_url()) for user in liaisons]
    title = _("%(department)s has %(count)s joint-meeting decisions past their deadline") % {
        "department": department.name,
        "count": len(late),
    }
    body = "\n".join(MEETING_DECISIONS.title_of(decision) for decision in late[:SUMMARY_LINES])
    key = daily_key("decisions-overdue", department.pk, day=today)
    url = late[0].meeting.get_absolute_url()
    return messages + [(user, key, title, body, url) for user in supervisors]
