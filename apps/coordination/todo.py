"""Coordination's to-do items: referrals a department liaison has to accept or complete.
One query; titles carry the category and the service, never the woman's details."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.coordination.deadlines import PROTECTION_ORDER_WARN_DAYS
from apps.coordination.models import FollowUpVisit, MandatoryReport, ProtectionOrder, Referral
from apps.core import todo
from apps.core.deadlines import Light, Reason, Status
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
            # The title names the service; the department is hers and the village not shown.
            .select_related("service")
            .order_by("accept_due", "pk")
        )


todo.register(ReferralTodo())


# --- the domestic-violence pathway -------------------------------------------------------------
# Titles name the kind of work and the village (or the court), never the woman or her words.

HANDLERS = frozenset({Role.VILLAGE_REP, Role.TOWNSHIP_STAFF, Role.COUNTY_ADMIN})


class FollowUpVisitTodo(todo.TodoKind):
    """查访 the representative must make after a warning letter on one of her cases."""

    name = "follow-up-visit"
    label = _("Follow-up visit")
    roles = frozenset({Role.VILLAGE_REP})
    deadline_kind = "follow-up-visit"

    def items(self, user):
        return (
            FollowUpVisit.objects.for_user(user)
            .filter(done_at__isnull=True, case__representative__user=user)
            .select_related("unit")
            .order_by("due", "pk")
        )


class ProtectionOrderTodo(todo.TodoKind):
    """A protection order application whose court clock is near its end or over, on a case
    the user handles: the federation follows up with the court."""

    name = "protection-order"
    label = _("Protection order awaiting the court")
    roles = HANDLERS
    deadline_kind = "protection-order"

    def items(self, user):
        near = timezone.now() + timedelta(days=PROTECTION_ORDER_WARN_DAYS)
        return (
            ProtectionOrder.objects.handled_by(user)
            .filter(outcome=ProtectionOrder.Outcome.PENDING, decide_due__lte=near)
            .order_by("decide_due", "pk")
        )


class MandatoryReportTodo(todo.TodoKind):
    """A case flagged for a mandatory report and not yet reported: always red."""

    name = "mandatory-report"
    label = _("Mandatory report to make")
    roles = HANDLERS

    def items(self, user):
        return (
            MandatoryReport.objects.handled_by(user)
            .filter(reported_at__isnull=True)
            .select_related("unit")
            .order_by("created_at", "pk")
        )

    def status_of(self, report, now=None):
        return Status(Light.RED, Reason.OVERDUE, report.created_at)

    def title_of(self, report):
        return _("Report to the police: %(reason)s · %(village)s") % {
            "reason": report.get_reason_display(),
            "village": report.unit.name,
        }

    def url_of(self, report):
        return report.get_absolute_url()


todo.register(FollowUpVisitTodo())
todo.register(ProtectionOrderTodo())
todo.register(MandatoryReportTodo())


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
            # The title names the meeting; the owner is her own department.
            .select_related("meeting")
            .order_by("deadline", "pk")
        )


todo.register(MeetingDecisionTodo())
