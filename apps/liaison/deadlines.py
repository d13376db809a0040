"""Liaison's kinds of the deadline engine: case state deadlines and households due a visit."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import deadlines
from apps.core.deadlines import Light, Reason, Rule, Status
from apps.liaison.models import Case, Contact

# How long a case may stay in each state before it is overdue, where no DeadlineRule is stored
# (the data migration stores these same values, so an admin can change them).
CASE_RULES = {
    Case.State.OPEN: Rule(days=3),
    Case.State.IN_PROGRESS: Rule(days=15),
    Case.State.ESCALATED: Rule(days=7),
    Case.State.REFERRED: Rule(days=15),
    Case.State.RESOLVED: Rule(days=7),
    Case.State.CLOSED: Rule(),
    # A sensitive case must reach the township within a day, night and weekend included.
    "sensitive-escalation": Rule(hours=24),
}
# A case is "due soon" on its last day.
CASE_WARN_DAYS = 1


class CaseDeadlines(deadlines.DeadlineKind):
    """A case must leave each state by its ``state_deadline``; a resolved or closed case is done."""

    name = "case"
    label = _("Case")
    default_rules = CASE_RULES

    def deadline_for(self, state, start, sensitive=False):
        """When a case that entered ``state`` at ``start`` must move on."""
        if sensitive and state == Case.State.OPEN:
            return self.deadline_after(start, "sensitive-escalation")
        return self.deadline_after(start, state)

    def open_items(self, user):
        return Case.objects.for_user(user).open().with_details().order_by("state_deadline")

    def status_of(self, case, now=None):
        if not case.is_open:
            return Status(Light.GREEN, Reason.DONE, case.state_deadline)
        return deadlines.assess(case.state_deadline, now, warn_days=CASE_WARN_DAYS)

    def title_of(self, case):
        return f"{case.get_category_display()} · {case.get_state_display()}"


class HouseholdDeadlines(deadlines.DeadlineKind):
    """A household is due a visit every ``visit_days`` of its risk colour after the last visit
    (or after she was linked, if never visited)."""

    name = "household"
    label = _("Household visit")

    def open_items(self, user):
        """Her households overdue or due within WARN_DAYS, soonest first, in one query."""
        soon = timezone.localdate() + timedelta(days=deadlines.WARN_DAYS)
        return (
            Contact.objects.for_user(user)
            # Judged by the annotated due day and named by her masked name: neither the
            # village nor the representative is read.
            .with_visit_days()
            .filter(visit_due__lte=soon)
            .order_by("visit_due", "pk")
        )

    def due_by_filter(self, day):
        """Households whose visit falls due before ``day``, as one WHERE clause."""
        from apps.liaison.services.contacts import visit_intervals

        overdue = Q()
        for risk, days in visit_intervals().items():
            limit = day - timedelta(days=days)
            overdue |= Q(risk=risk) & (
                Q(last_visited_on__lt=limit)
                | Q(last_visited_on__isnull=True, created_at__date__lt=limit)
            )
        return overdue

    def due_of(self, contact):
        if getattr(contact, "visit_due", None) is not None:
            return contact.visit_due
        days = getattr(contact, "visit_days", None)
        if days is None:
            from apps.liaison.services.contacts import visit_intervals

            days = visit_intervals()[contact.risk]
        base = contact.last_visited_on or timezone.localdate(contact.created_at)
        return base + timedelta(days=days)

    def status_of(self, contact, now=None):
        if now is not None and hasattr(now, "date"):
            now = timezone.localdate(now)
        return deadlines.assess(self.due_of(contact), now)

    def title_of(self, contact):
        return contact.masked_name


CASES = deadlines.register(CaseDeadlines())
HOUSEHOLDS = deadlines.register(HouseholdDeadlines())
