"""Coordination's kind of the deadline engine: a referral must be accepted, then completed,
within its rule (working days, as the departments count them)."""

from django.utils.translation import gettext_lazy as _

from apps.coordination.models import Referral
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


REFERRALS = deadlines.register(ReferralDeadlines())


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
