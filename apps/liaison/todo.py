"""Liaison's to-do items: households due a visit, cases past their state deadline, sensitive
cases not yet escalated, cases escalated to the staff, villages below the coverage target.
One query per kind. Titles carry a category, a state or a masked name, never a case's text or
a household's full name."""

from datetime import date

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import deadlines, todo
from apps.core.deadlines import Light, Reason, Status
from apps.core.roles import Role
from apps.liaison.deadlines import CASE_WARN_DAYS, CASES
from apps.liaison.models import DEFAULT_COVERAGE_TARGET, Case, Contact, CoverageTarget, Visit
from apps.organizations.models import OrgUnit

STAFF = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF})


def staff_units(user, roles=STAFF):
    return [m.unit for m in user.active_memberships if m.role in roles]


class HouseholdVisitTodo(todo.TodoKind):
    """Her own households overdue or due a visit within WARN_DAYS (by their risk colour)."""

    name = "household-visit"
    label = _("Household to visit")
    roles = frozenset({Role.VILLAGE_REP})
    deadline_kind = "household"

    def items(self, user):
        return self.deadline.open_items(user).filter(representative__user=user)


class CaseOverdueTodo(todo.TodoKind):
    """Her open cases past their state deadline (a sensitive case still waiting to be escalated
    is the next kind's item)."""

    name = "case-overdue"
    label = _("Case past its deadline")
    roles = frozenset({Role.VILLAGE_REP})
    deadline_kind = "case"

    def items(self, user):
        return (
            Case.objects.for_user(user)
            .open()
            .filter(representative__user=user, state_deadline__lt=timezone.now())
            .exclude(is_sensitive=True, escalated_at__isnull=True)
            # The line is the case's own category, state and deadline: no related row.
            .order_by("state_deadline", "pk")
        )


class SensitiveCaseTodo(todo.TodoKind):
    """Her open sensitive cases not yet escalated: they must reach the township within the
    rule's hours (24 by default) of being opened."""

    name = "case-unescalated"
    label = _("Sensitive case to escalate")
    roles = frozenset({Role.VILLAGE_REP})
    deadline_kind = "case"

    def items(self, user):
        return (
            Case.objects.for_user(user)
            .open()
            .filter(representative__user=user, is_sensitive=True, escalated_at__isnull=True)
            # The title's masked name is the household's.
            .select_related("contact")
            .order_by("opened_at", "pk")
        )

    def status_of(self, case, now=None):
        due = CASES.deadline_for(Case.State.OPEN, case.opened_at, sensitive=True)
        return deadlines.assess(due, now, warn_days=CASE_WARN_DAYS)

    def title_of(self, case):
        return _("Escalate: %(category)s · %(household)s") % {
            "category": case.get_category_display(),
            "household": case.contact.masked_name,
        }


class CaseEscalatedTodo(todo.TodoKind):
    """Open cases escalated to one of the user's own units, to be handled there."""

    name = "case-escalated"
    label = _("Escalated case")
    roles = STAFF
    deadline_kind = "case"

    def items(self, user):
        return (
            Case.objects.for_user(user)
            .open()
            .filter(state=Case.State.ESCALATED, escalated_to__in=staff_units(user))
            # The title names the village and the household, masked.
            .select_related("unit", "contact")
            .order_by("state_deadline", "pk")
        )

    def title_of(self, case):
        return f"{case.unit} · {case.get_category_display()} · {case.contact.masked_name}"


class VillageCoverageTodo(todo.TodoKind):
    """Villages of the user's townships whose coverage (households visited this year over
    households linked, as services.coverage counts it) is below the CoverageTarget: one
    query computes every village's figures, the target included."""

    name = "village-coverage"
    label = _("Village below the coverage target")
    roles = frozenset({Role.TOWNSHIP_STAFF})

    def items(self, user):
        townships = staff_units(user, {Role.TOWNSHIP_STAFF})
        if not townships:
            return []
        today = timezone.localdate()
        villages = OrgUnit.objects.filter(kind=OrgUnit.Kind.VILLAGE, parent__in=townships)
        below = villages_below_target(
            villages.order_by("path"), start=date(today.year, 1, 1), end=today
        )
        for village in below:
            # Rounded as services.coverage rounds it on the coverage page.
            village.coverage = round(100 * village.visited / village.linked)
        return below

    def status_of(self, village, now=None):
        today = timezone.localdate(now) if hasattr(now, "tzinfo") else now
        today = today or timezone.localdate()
        light = Light.RED if 2 * village.coverage < village.target else Light.YELLOW
        return Status(light, Reason.BEHIND, date(today.year, 12, 31))

    def title_of(self, village):
        text = _("%(village)s: %(coverage)s%% of households visited (target %(target)s%%)")
        return text % {
            "village": village.name,
            "coverage": village.coverage,
            "target": village.target,
        }

    def url_of(self, village):
        return reverse("liaison:coverage") + "?level=village"


def villages_below_target(villages, *, start, end):
    """``villages`` annotated with ``linked``, ``visited`` and ``target`` (%),
    only those with households whose coverage is below the target; one query."""
    linked = (
        Contact.objects.filter(unit=OuterRef("pk"))
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    visited = (
        Visit.contacts.through.objects.filter(
            visit__unit=OuterRef("pk"), visit__visited_on__range=(start, end)
        )
        .values("visit__unit")
        .annotate(n=Count("contact", distinct=True))
        .values("n")
    )
    target = CoverageTarget.objects.order_by("pk").values("percent")[:1]
    number = IntegerField()
    return (
        villages.annotate(
            linked=Coalesce(Subquery(linked, output_field=number), Value(0)),
            visited=Coalesce(Subquery(visited, output_field=number), Value(0)),
            target=Coalesce(Subquery(target, output_field=number), Value(DEFAULT_COVERAGE_TARGET)),
        )
        .filter(linked__gt=0)
        .annotate(gap=F("target") * F("linked") - F("visited") * 100)
        .filter(gap__gt=0)
    )


todo.register(SensitiveCaseTodo())
todo.register(CaseOverdueTodo())
todo.register(HouseholdVisitTodo())
todo.register(CaseEscalatedTodo())
todo.register(VillageCoverageTodo())
