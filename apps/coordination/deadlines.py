"""Coordination's kind of the deadline engine: a referral must be accepted, then completed,
within its rule (working days, as the departments count them)."""

from datetime import timedelta

from django.utils import timezone
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
