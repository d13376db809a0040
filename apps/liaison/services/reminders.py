"""Hourly liaison reminders, worked out one township at a time and sent at most once per
event per day: households overdue for a visit, representatives idle for 30 days, cases past
their state's deadline, sensitive cases not escalated within 24 hours."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.roles import Role
from apps.liaison.models import Case, Contact, Representative
from apps.liaison.services.contacts import contacts_due
from apps.notifications.models import GroupRobot
from apps.notifications.services import daily_key, notify_batch, notify_robots, robot_text
from apps.organizations.models import OrgUnit

IDLE_DAYS = 30


def townships_to_remind():
    """Townships with representatives: the unit of work of one reminder task."""
    return (
        OrgUnit.objects.filter(
            kind=OrgUnit.Kind.TOWNSHIP, children__representatives__is_active=True
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def send_township_reminders(township, now=None):
    """Every liaison reminder for one township; returns how many notifications were new."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    representatives = (
        Representative.objects.active().filter(unit__parent=township).select_related("user")
    )
    staff = list(User.objects.working_in([township], role=Role.TOWNSHIP_STAFF))
    tally = defaultdict(int)
    messages = _overdue_visits(representatives, today, tally)
    messages += _idle(representatives, staff, today, tally)
    messages += _stuck_cases(township, staff, now, today, tally)
    messages += _unescalated(township, staff, now, today, tally)
    created = notify_batch(messages)
    _tell_group(township, today, tally)
    return len(created)


def _tell_group(township, today, tally):
    """The township's group robot (if it has one) hears the day's reminders as counts and a
    link only: a chat group is no place for a household, a woman or a case, and a sensitive
    case is not even named by village."""
    lines = [
        text % {"count": tally[name]}
        for name, text in (
            ("households", _("%(count)s households are due a visit")),
            ("idle", _("%(count)s representatives have logged no visit in 30 days")),
            ("cases", _("%(count)s cases are past their deadline")),
        )
        if tally[name]
    ]
    url = reverse("liaison:coverage")
    messages = []
    if lines:
        title = _("%(unit)s: liaison reminders") % {"unit": township.name}
        text = robot_text(title, lines, url=url)
        key = daily_key("liaison-reminders", township.pk, day=today)
        messages.append((township, key, GroupRobot.Event.REMINDER, text))
    if tally["sensitive"]:
        title = _(
            "%(unit)s: %(count)s sensitive cases have not been escalated within 24 hours. "
            "Please contact the village representatives today."
        ) % {"unit": township.name, "count": tally["sensitive"]}
        key = daily_key("sensitive-unescalated", township.pk, day=today)
        text = robot_text(title, url=url)
        messages.append((township, key, GroupRobot.Event.ESCALATION, text))
    notify_robots(messages)


def _overdue_visits(representatives, today, tally):
    overdue = (
        contacts_due(today, Contact.objects.filter(representative__in=representatives))
        .values("representative")
        .annotate(count=Count("pk"))
    )
    counts = {row["representative"]: row["count"] for row in overdue}
    tally["households"] += sum(counts.values())
    return [
        (
            rep.user,
            daily_key("visits-overdue", rep.pk, day=today),
            _("%(count)s households are due a visit") % {"count": counts[rep.pk]},
            "",
            reverse("liaison:home"),
        )
        for rep in representatives
        if counts.get(rep.pk)
    ]


def _idle(representatives, staff, today, tally):
    since = today - timedelta(days=IDLE_DAYS)
    idle = [
        rep
        for rep in representatives.annotate(last_visit=Max("visits__visited_on"))
        if rep.last_visit is None or rep.last_visit < since
    ]
    messages = [
        (
            rep.user,
            daily_key("rep-idle", rep.pk, day=today),
            _("No visit logged in 30 days"),
            _("Please visit your households and log it."),
            reverse("liaison:home"),
        )
        for rep in idle
    ]
    tally["idle"] += len(idle)
    if idle:
        names = "、".join(rep.full_name for rep in idle[:20])
        title = _("%(count)s representatives have logged no visit in 30 days") % {
            "count": len(idle)
        }
        messages += [
            (
                user,
                daily_key("reps-idle", user.pk, day=today),
                title,
                names,
                f"{reverse('liaison:coverage')}?level=representative",
            )
            for user in staff
        ]
    return messages


def _stuck_cases(township, staff, now, today, tally):
    stuck = (
        Case.objects.open()
        .filter(unit__parent=township, state_deadline__lt=now)
        .select_related("representative__user", "escalated_to")
    )
    messages = []
    for case in stuck:
        tally["cases"] += 1
        title = _("Case past its deadline: %(case)s") % {"case": case.get_category_display()}
        key = daily_key("case-overdue", case.pk, day=today)
        url = case.get_absolute_url()
        messages.append((case.representative.user, key, title, "", url))
        if case.escalated_to_id == township.pk:
            messages += [(user, key, title, "", url) for user in staff]
    return messages


def _unescalated(township, staff, now, today, tally):
    """Township staff cannot see a sensitive case until it reaches them, so the reminder names
    only the village, never the woman or the case."""
    late = (
        Case.objects.open()
        .filter(
            unit__parent=township,
            is_sensitive=True,
            escalated_at__isnull=True,
            respond_by__lt=now,
        )
        .select_related("unit")
    )
    by_village = defaultdict(int)
    for case in late:
        by_village[case.unit.name] += 1
        tally["sensitive"] += 1
    return [
        (
            user,
            daily_key("sensitive-unescalated", township.pk, village, day=today),
            _("%(village)s has %(count)s sensitive cases not escalated within 24 hours")
            % {"village": village, "count": count},
            _("Please contact the village representative today."),
            "",
        )
        for village, count in by_village.items()
        for user in staff
    ]
