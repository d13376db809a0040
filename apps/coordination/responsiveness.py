"""Department responsiveness (部门响应): per department and period, how many referrals it
received, how many it accepted and completed in time, the median days it took, what it declined
and why, and how satisfied the women were. One aggregate query, whatever the number of
departments or referrals; the page, the API and the assessment all call ``responsiveness``."""

from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from apps.coordination.models import Referral
from apps.core.roles import Role
from apps.organizations.models import OrgUnit

SECONDS_A_DAY = 86400
State = Referral.State
Satisfaction = Referral.Satisfaction


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)``: the median of a group,
    NULL when the group is empty (the FILTER clause Django adds applies to it as to any
    aggregate). Over intervals it answers an interval."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()
    allow_distinct = False


def _span(later, earlier):
    """The interval from ``earlier`` to ``later``, two referral fields."""
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def responsive_departments(user):
    """The departments whose responsiveness ``user`` may read, or None when she may read none:
    county federation staff and leaders every department in their area, a department liaison
    her own department. Township staff and village representatives read none: the figures are
    the county's and the department's (ISSUE 9)."""
    departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return departments
    allowed = []
    for membership in user.active_memberships:
        if membership.role in (Role.COUNTY_ADMIN, Role.LEADER):
            allowed.append(Q(path__startswith=membership.unit.path))
        elif membership.role == Role.DEPT_LIAISON:
            allowed.append(Q(pk=membership.unit_id))
    if not allowed:
        return None
    return departments.filter(reduce(or_, allowed))


def shows_reasons(user):
    """Leaders work from counts: the reasons a department wrote for declining are free text
    that may speak of the woman, so only federation staff and the departments read them."""
    return user.is_superuser or user.has_role(Role.COUNTY_ADMIN, Role.DEPT_LIAISON)


def responsiveness(period, departments=None, *, now=None, with_reasons=True):
    """Figures of each department (``departments``, a queryset of units; default: every
    department) for the referrals sent to it within ``period`` (by the day they were sent),
    in one query. Each row, in the order of the org tree:

    - ``department``, ``department_name``;
    - ``received``; ``accepted`` and ``accepted_on_time`` (by ``accept_due``); ``completed``
      and ``completed_on_time`` (by ``complete_due``); ``declined``; ``overdue`` (still open
      past the deadline of the step it waits for, at ``now``);
    - ``median_days_to_accept`` (sent → accepted) and ``median_days_to_complete`` (accepted
      → completed), calendar days to one decimal, None without such referrals;
    - ``satisfied``, ``partly``, ``dissatisfied``, ``rated`` and ``satisfaction_rate``: the
      percentage of rated referrals she was satisfied or partly satisfied with (None unrated);
    - ``decline_reasons``: the reasons, latest first (empty unless ``with_reasons``).
    """
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.start_date, time.min), zone)
    end = timezone.make_aware(datetime.combine(period.end_date + timedelta(days=1), time.min), zone)
    sent = Q(referrals__sent_at__gte=start, referrals__sent_at__lt=end)

    def count(condition=None):
        return Count("referrals", filter=sent & condition if condition else sent)

    overdue = Q(referrals__state=State.SENT, referrals__accept_due__lt=now) | Q(
        referrals__state__in=[State.ACCEPTED, State.IN_PROGRESS],
        referrals__complete_due__lt=now,
    )
    figures = {
        "received": count(),
        "accepted": count(Q(referrals__accepted_at__isnull=False)),
        "accepted_on_time": count(Q(referrals__accepted_at__lte=F("referrals__accept_due"))),
        "completed": count(Q(referrals__completed_at__isnull=False)),
        "completed_on_time": count(Q(referrals__completed_at__lte=F("referrals__complete_due"))),
        "declined": count(Q(referrals__state=State.DECLINED)),
        "overdue": count(overdue),
        "median_days_to_accept": Median(
            _span("referrals__accepted_at", "referrals__sent_at"),
            filter=sent & Q(referrals__accepted_at__isnull=False),
        ),
        "median_days_to_complete": Median(
            _span("referrals__completed_at", "referrals__accepted_at"),
            filter=sent & Q(referrals__completed_at__isnull=False),
        ),
        **{choice: count(Q(referrals__satisfaction=choice)) for choice in Satisfaction.values},
    }
    if with_reasons:
        figures["reasons"] = ArrayAgg(
            "referrals__reason",
            filter=sent & Q(referrals__state=State.DECLINED),
            order_by=("-referrals__declined_at", "-referrals__pk"),
            default=[],
        )
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    if departments is not None:
        units = units.filter(pk__in=departments.values("pk"))
    rows = units.order_by("path").values("pk", "name").annotate(**figures)
    return [_row(row) for row in rows]


def _row(row):
    rated = sum(row[choice] for choice in Satisfaction.values)
    pleased = row[Satisfaction.SATISFIED] + row[Satisfaction.PARTLY]
    return {
        "department": row["pk"],
        "department_name": row["name"],
        **{
            name: row[name]
            for name in (
                "received",
                "accepted",
                "accepted_on_time",
                "completed",
                "completed_on_time",
                "declined",
                "overdue",
            )
        },
        "median_days_to_accept": _round(row["median_days_to_accept"]),
        "median_days_to_complete": _round(row["median_days_to_complete"]),
        **{choice: row[choice] for choice in Satisfaction.values},
        "rated": rated,
        "satisfaction_rate": round(100 * pleased / rated) if rated else None,
        "decline_reasons": row.get("reasons", []),
    }


def _round(span):
    return None if span is None else round(span.total_seconds() / SECONDS_A_DAY, 1)


def monthly_responsiveness(start, end):
    """For the dashboards' rollup: each department's referrals sent from ``start`` to ``end``
    (dates), grouped by department and the month they were sent, in one query. Each row:
    ``department``, ``month`` (its first day), ``received``, ``accepted``,
    ``accepted_on_time``, ``completed``, ``completed_on_time``, ``declined``, and the hours
    taken to accept and to complete, summed over the month's referrals."""
    from django.db.models import DateField, Sum
    from django.db.models.functions import TruncMonth

    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), zone)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    rows = (
        Referral.objects.filter(sent_at__gte=since, sent_at__lt=until)
        .annotate(month=TruncMonth("sent_at", output_field=DateField(), tzinfo=zone))
        .order_by()
        .values("department", "month")
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            accepted_on_time=Count("pk", filter=Q(accepted_at__lte=F("accept_due"))),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            completed_on_time=Count("pk", filter=Q(completed_at__lte=F("complete_due"))),
            declined=Count("pk", filter=Q(state=State.DECLINED)),
            to_accept=Sum(_span("accepted_at", "sent_at")),
            to_complete=Sum(_span("completed_at", "accepted_at")),
        )
    )
    return [
        {
            **{key: value for key, value in row.items() if not key.startswith("to_")},
            "hours_to_accept": _hours(row["to_accept"]),
            "hours_to_complete": _hours(row["to_complete"]),
        }
        for row in rows
    ]


def _hours(span):
    return 0.0 if span is None else round(span.total_seconds() / 3600, 2)
