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


class MeetingDecisionTodo(todo.TodoKind):
    """Open joint-meeting decisions her department owns, by deadline."""

    name = "meeting_decision"
    label = _("Joint-meeting decision to carry out")
    roles = frozenset({Role.DEPT_LIAISON})
    deadline_kind = "meeting_decision"

    def items(self, user):
        from apps.coordination.models import MeetingDecision

        return (
            MeetingDecision.objects.for_user(user)
            .owned_by(user)
            .open()
            .with_details()
            .order_by("deadline", "pk")
        )


todo.register(MeetingDecisionTodo())
