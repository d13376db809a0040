"""Coordination's kind of the deadline engine: a referral must be accepted, then completed,
within its rule (working days, as the departments count them)."""

from django.utils.translation import gettext_lazy as _

from apps.coordination.models import IncomingReferral, Referral
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
            .with_details()
            .order_by("accept_due", "pk")
        )

    def status_of(self, referral, now=None):
        if not referral.is_open:
            return Status(Light.GREEN, Reason.DONE, referral.accept_due)
        return deadlines.assess(referral.accept_due, now, warn_days=INCOMING_WARN_DAYS)

    def title_of(self, referral):
        return f"{referral.department.name} · {referral.get_category_display()}"


INCOMING_REFERRALS = deadlines.register(IncomingReferralDeadlines())
