"""Coordination's kind of the deadline engine: a referral must be accepted, then completed,
within its rule (working days, as the departments count them)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import FollowUpVisit, IncomingReferral, ProtectionOrder, Referral
from apps.core import deadlines
from apps.core.deadlines import Light, Reason, Rule, Status

# Where no DeadlineRule is stored (the data migration stores these same values).
REFERRAL_RULES = {
    "accept": Rule(days=2, working_days=True),
    "complete": Rule(days=15, working_days=True),
}
REFERRAL_WARN_DAYS = 1


class ReferralDeadlines(deadlines.DeadlineKind):
    """A sent referral is due to be accepted by ``accept_due``; an accepted one to be completed
    by ``complete_due``; a completed or declined one is done."""

    name = "referral"
    label = _("Referral")
    default_rules = REFERRAL_RULES

    def open_items(self, user):
        return Referral.objects.for_user(user).open().with_details().order_by("accept_due")

    def status_of(self, referral, now=None):
        if not referral.is_open:
            return Status(Light.GREEN, Reason.DONE, referral.current_due)
        return deadlines.assess(referral.current_due, now, warn_days=REFERRAL_WARN_DAYS)

    def title_of(self, referral):
        return f"{referral.get_category_display()} · {referral.service.name}"

    def complete_due(self, accepted_at, service):
        """When a referral accepted at ``accepted_at`` must be completed: the service's own
        time when it sets one (working or calendar days; a calendar deadline that lands on a
        holiday moves to the next working day), else the ``complete`` rule."""
        if not service.complete_days:
            return self.deadline_after(accepted_at, "complete")
        day = timezone.localtime(accepted_at).date()
        due_day = deadlines.due_after(
            day, service.complete_days, working=service.complete_in_working_days
        )
        return accepted_at + timedelta(days=(due_day - day).days)


REFERRALS = deadlines.register(ReferralDeadlines())


# --- the domestic-violence pathway -------------------------------------------------------------

# 查访 within 7 calendar days of the warning letter being recorded; the court decides on a
# protection order within 72 hours, 24 when urgent, night and weekend included.
FOLLOW_UP_VISIT_RULES = {"visit": Rule(days=7)}
PROTECTION_ORDER_RULES = {"decide": Rule(hours=72), "decide-urgent": Rule(hours=24)}
FOLLOW_UP_VISIT_WARN_DAYS = 2
# The court's clock turns yellow in its last 6 hours.
PROTECTION_ORDER_WARN_DAYS = 0.25


class FollowUpVisitDeadlines(deadlines.DeadlineKind):
    """A 查访 is due by ``due``; a recorded one is done."""

    name = "follow-up-visit"
    label = _("Follow-up visit")
    default_rules = FOLLOW_UP_VISIT_RULES

    def open_items(self, user):
        return FollowUpVisit.objects.for_user(user).filter(done_at__isnull=True).order_by("due")

    def status_of(self, visit, now=None):
        if now is not None and hasattr(now, "date"):
            now = timezone.localdate(now)
        if not visit.is_open:
            return Status(Light.GREEN, Reason.DONE, visit.due)
        return deadlines.assess(visit.due, now, warn_days=FOLLOW_UP_VISIT_WARN_DAYS)

    def title_of(self, visit):
        # Never the woman's name or words: the kind and the village only.
        return _("Follow-up visit after a warning letter · %(village)s") % {
            "village": visit.unit.name
        }


class ProtectionOrderDeadlines(deadlines.DeadlineKind):
    """The court's clock on a pending protection order application."""

    name = "protection-order"
    label = _("Protection order")
    default_rules = PROTECTION_ORDER_RULES

    def decide_due(self, applied_at, urgent):
        return self.deadline_after(applied_at, "decide-urgent" if urgent else "decide")

    def open_items(self, user):
        return (
            ProtectionOrder.objects.for_user(user).filter(outcome="pending").order_by("decide_due")
        )

    def status_of(self, order, now=None):
        if not order.is_pending:
            return Status(Light.GREEN, Reason.DONE, order.decide_due)
        return deadlines.assess(order.decide_due, now, warn_days=PROTECTION_ORDER_WARN_DAYS)

    def title_of(self, order):
        return _("Court to decide on a protection order · %(court)s") % {"court": order.court}


FOLLOW_UP_VISITS = deadlines.register(FollowUpVisitDeadlines())
PROTECTION_ORDERS = deadlines.register(ProtectionOrderDeadlines())
# Where no DeadlineRule is stored (the data migration stores the same value): the federation
# accepts a department's referral within one working day.
INCOMING_RULES = {"accept": Rule(days=1, working_days=True)}
# Yellow in the last half day.
INCOMING_WARN_DAYS = 0.5


class IncomingReferralDeadlines(deadlines.DeadlineKind):
    """A department's referral to the federation is due to be accepted (or declined) by
    ``accept_due``; once answered it is done."""

    name = "incoming-referral"
    label = _("Referral to the federation")
    default_rules = INCOMING_RULES

    def open_items(self, user):
        return (
            IncomingReferral.objects.for_user(user)
            .addressed_to(user)
            .waiting()
            # The title names the sending department; the receiving unit is the reader's own.
            .select_related("department")
            .order_by("accept_due", "pk")
        )

    def status_of(self, referral, now=None):
        if not referral.is_open:
            return Status(Light.GREEN, Reason.DONE, referral.accept_due)
        return deadlines.assess(referral.accept_due, now, warn_days=INCOMING_WARN_DAYS)

    def title_of(self, referral):
        return f"{referral.department.name} · {referral.get_category_display()}"


INCOMING_REFERRALS = deadlines.register(IncomingReferralDeadlines())


# --- 联席会议 decisions ---

# A decision turns yellow this many days before its deadline. Stored as the ``days`` of the
# DeadlineRule (meeting_decision, warn), so a county admin changes it in the admin; the data
# migration stores this same default.
DECISION_RULES = {"warn": Rule(days=5)}


class MeetingDecisionDeadlines(deadlines.DeadlineKind):
    """An open joint-meeting decision is due on its deadline (a date); a done one is green."""

    name = "meeting_decision"
    label = _("Joint-meeting decision")
    default_rules = DECISION_RULES

    def open_items(self, user):
        from apps.coordination.models import MeetingDecision

        return MeetingDecision.objects.for_user(user).open().with_details().order_by("deadline")

    def status_of(self, decision, now=None):
        if not decision.is_open:
            return Status(Light.GREEN, Reason.DONE, decision.deadline)
        return deadlines.assess(decision.deadline, now, warn_days=self.rule("warn").days)

    def title_of(self, decision):
        return f"{decision.meeting.title} · {decision.text[:40]}"


MEETING_DECISIONS = deadlines.register(MeetingDecisionDeadlines())
