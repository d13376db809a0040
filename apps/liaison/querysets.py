"""Who may open which liaison record (DESIGN, "Who may see what").

Households, visits and cases hold personal and sensitive data, so ``for_user`` here is narrower
than the plain subtree rule, role by role (the minimum necessary):

- county federation staff: every record in their area;
- township staff: records in their township, except sensitive ones (domestic-violence cases,
  red households, and visits that raised or met them) until the sensitive case (for a red
  household: one of hers) was escalated to their unit;
- a village representative: her own households, visits and cases;
- leaders and department liaisons: none; they work from counts.

``in_area`` (the plain subtree rule) remains for aggregates that only count rows.
"""

from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import Case as Conditional
from django.db.models import (
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from apps.core.querysets import ScopedQuerySet
from apps.core.roles import Role

RED = "red"  # Risk.RED: a household with domestic violence is itself sensitive.


class RepresentativeQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_details(self):
        return self.select_related("unit__parent", "user")

    def assignable_by(self, user):
        """Representatives ``user`` may link a household to: anyone in their area for
        federation staff, herself for a representative (she keeps only her own households)."""
        scoped = self.for_user(user)
        if user.has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF):
            return scoped
        return scoped.filter(user=user)


class PersonalRecordQuerySet(ScopedQuerySet):
    """Households, visits and cases: ``for_user`` is the union, over the user's memberships, of
    what each role may open in that membership's unit (see the module docstring)."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = [
            rule
            for membership in user.active_memberships
            if (rule := self._open_to(user, membership)) is not None
        ]
        if not allowed:
            return self.none()
        return self.filter(reduce(or_, allowed))

    def _open_to(self, user, membership):
        in_unit = Q(**{f"{self.model.scope_field}__path__startswith": membership.unit.path})
        if membership.role == Role.COUNTY_ADMIN:
            return in_unit
        if membership.role == Role.VILLAGE_REP:
            return in_unit & Q(representative__user=user)
        if membership.role == Role.TOWNSHIP_STAFF:
            return in_unit & self._open_to_township(membership.unit_id)
        return None  # leaders and department liaisons: counts only

    def _open_to_township(self, unit_id):
        raise NotImplementedError


def _sensitive_cases_escalated_to(unit_id):
    from apps.liaison.models import Case

    return Case.objects.filter(is_sensitive=True, escalation_units__contains=[unit_id])


def red_households_open_to_township(unit_id):
    """Red households a township may open: those with a sensitive case escalated to it."""
    from apps.liaison.models import Contact

    return Contact.objects.filter(risk=RED).filter(
        Exists(_sensitive_cases_escalated_to(unit_id).filter(contact=OuterRef("pk")))
    )


class ContactQuerySet(PersonalRecordQuerySet):
    def with_details(self):
        return self.select_related("unit", "representative").with_visit_days()

    def with_visit_days(self):
        """Annotate ``visit_days``, the interval of each household's risk colour (as configured,
        else the default), and ``visit_due``, the day her next visit is due, so the deadline
        engine judges and filters households in the query that reads them."""
        from apps.liaison.models import DEFAULT_VISIT_DAYS, VisitInterval

        stored = VisitInterval.objects.filter(risk=OuterRef("risk")).values("days")[:1]
        default = Conditional(
            *[When(risk=risk, then=Value(days)) for risk, days in DEFAULT_VISIT_DAYS.items()],
            default=Value(max(DEFAULT_VISIT_DAYS.values())),
        )
        return self.annotate(visit_days=Coalesce(Subquery(stored), default)).annotate(
            visit_due=ExpressionWrapper(
                Coalesce("last_visited_on", TruncDate("created_at")) + F("visit_days"),
                output_field=DateField(),
            )
        )

    def _open_to_township(self, unit_id):
        return ~Q(risk=RED) | Exists(
            _sensitive_cases_escalated_to(unit_id).filter(contact=OuterRef("pk"))
        )


class VisitQuerySet(PersonalRecordQuerySet):
    def for_user(self, user):
        """Visits ``user`` may open, each carrying only the cases and households she may open
        (the API's ``needs`` text is built from those cases, so no door shows case text from
        a visit that the case itself would not show)."""
        from apps.liaison.models import Case, Contact

        return (
            super()
            .for_user(user)
            .prefetch_related(
                Prefetch(
                    "cases",
                    queryset=Case.objects.for_user(user).order_by("pk"),
                    to_attr="visible_cases",
                ),
                Prefetch(
                    "contacts",
                    queryset=Contact.objects.for_user(user).order_by("pk"),
                    to_attr="visible_contacts",
                ),
            )
        )

    def _open_to_township(self, unit_id):
        """A visit that raised a sensitive case or met a red household is as sensitive as they
        are (its summary may speak of them): the township opens it only once every such case
        was escalated to it and it may open every such household."""
        from apps.liaison.models import Case, Visit

        hidden_case = Case.objects.filter(visit=OuterRef("pk"), is_sensitive=True).exclude(
            escalation_units__contains=[unit_id]
        )
        hidden_red = Visit.contacts.through.objects.filter(
            visit=OuterRef("pk"), contact__risk=RED
        ).exclude(contact__in=red_households_open_to_township(unit_id))
        return ~Exists(hidden_case) & ~Exists(hidden_red)


class CaseQuerySet(PersonalRecordQuerySet):
    def _open_to_township(self, unit_id):
        """A sensitive case once escalated to the township; any other case of a red household
        only while the township may open the household."""
        return Q(escalation_units__contains=[unit_id]) | (
            Q(is_sensitive=False)
            & (~Q(contact__risk=RED) | Q(contact__in=red_households_open_to_township(unit_id)))
        )

    def with_details(self):
        return self.select_related("unit__parent", "representative", "contact", "escalated_to")

    def with_follow_ups(self):
        """Each case's follow-ups, with their authors, as the list ``follow_up_list``. A list
        set on each case (``to_attr``): a prefetch into the related manager instead clones
        a queryset for every case, the larger part of a case list page's time in Python."""
        from apps.liaison.models import FollowUp

        return self.prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.select_related("author"),
                to_attr="follow_up_list",
            )
        )

    def open(self):
        return self.exclude(state__in=["resolved", "closed"])

    def opened_between(self, start, end):
        """Cases opened on the local days ``start`` to ``end``, as a range of moments: an index
        on ``opened_at`` serves it and PostgreSQL estimates it, which it cannot do for the
        moment's local date (``opened_at__date__range``): it then read a province's every
        case once per county."""
        zone = timezone.get_current_timezone()
        return self.filter(
            opened_at__gte=datetime.combine(start, time.min, zone),
            opened_at__lt=datetime.combine(end + timedelta(days=1), time.min, zone),
        )
