"""Coordination's to-do items: referrals a department liaison has to accept or complete.
One query; titles carry the category and the service, never the woman's details."""

from django.utils.translation import gettext_lazy as _

from apps.coordination.models import Referral
from apps.core import todo
from apps.core.roles import Role


class ReferralTodo(todo.TodoKind):
    """Open referrals addressed to her department: to accept when sent, to complete after."""

    name = "referral"
    label = _("Referral to answer")
    roles = frozenset({Role.DEPT_LIAISON})
    deadline_kind = "referral"

    def items(self, user):
        return (
            Referral.objects.for_user(user)
            .addressed_to(user)
            .open()
            .with_details()
            .order_by("accept_due", "pk")
        )


todo.register(ReferralTodo())


class IncomingReferralTodo(todo.TodoKind):
    """Departments' referrals addressed to her unit of the federation, waiting to be accepted.
    Titles name the department and the category, never the woman."""

    name = "incoming-referral"
    label = _("Referral from a department")
    roles = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF})
    deadline_kind = "incoming-referral"

    def items(self, user):
        return self.deadline.open_items(user)


todo.register(IncomingReferralTodo())
