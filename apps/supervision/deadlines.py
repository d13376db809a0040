"""Supervision's kinds of the deadline engine. An item runs on two clocks: 签收 within its
limit (default 1 working day; missed: 领办逾期), then 办结/反馈 by its deadline, which defaults
by source and priority (rules ``complete-<source>-<priority>``, editable in the admin: a rule
of 0 days means "no default, the supervisor must set a date"). Requests are decided within
their own limit, and a missed yellow slip turns red after ``slip-yellow``."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import deadlines
from apps.core.deadlines import Light, Reason, Rule, Status
from apps.supervision.models import ItemRequest, SupervisionItem

Source, Priority = SupervisionItem.Source, SupervisionItem.Priority

# Where no DeadlineRule is stored (the data migration stores these same values): 会议纪要
# 20 days, 公文 30 days, an urgent item (a leader's 批示) 5 working days, otherwise 15 days.
URGENT = Rule(days=5, working_days=True)
ITEM_RULES = {
    "accept": Rule(days=1, working_days=True),
    f"complete-{Source.SUPERIOR}-{Priority.NORMAL}": Rule(days=15),
    f"complete-{Source.GOVERNMENT}-{Priority.NORMAL}": Rule(days=30),
    f"complete-{Source.MEETING}-{Priority.NORMAL}": Rule(days=20),
    f"complete-{Source.PETITION}-{Priority.NORMAL}": Rule(days=15),
    **{f"complete-{source}-{Priority.URGENT}": URGENT for source in Source.values},
    # A blue slip is followed by a yellow one after this while the item is overdue.
    "slip-blue": Rule(days=1, working_days=True),
    # A yellow slip not answered by feedback within this limit is followed by a red one.
    "slip-yellow": Rule(days=3, working_days=True),
}
# The supervisor decides an extension, suspension or stage-completion request within this.
REQUEST_RULES = {"decide": Rule(days=2, working_days=True)}
WARN_DAYS = 3  # DESIGN: yellow when due within 3 days without feedback
SEVERITY = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


class SupervisionItemDeadlines(deadlines.DeadlineKind):
    """Assigned: the worse of the 签收 clock and the deadline; in progress: the deadline;
    fed back, closed, suspended or stage-completed: done (the supervisor's turn)."""

    name = "supervision-item"
    label = _("Supervised item")
    default_rules = ITEM_RULES

    def open_items(self, user):
        return SupervisionItem.objects.for_user(user).open().with_details().order_by("deadline")

    def status_of(self, item, now=None):
        if not item.is_open:
            return Status(Light.GREEN, Reason.DONE, item.deadline)
        now = now or timezone.now()
        complete = deadlines.assess(item.deadline, timezone.localdate(now), warn_days=WARN_DAYS)
        if item.state != SupervisionItem.State.ASSIGNED:
            return complete
        accept = deadlines.assess(item.accept_due, now, warn_days=0)
        return max(accept, complete, key=lambda status: SEVERITY[status.light])

    def title_of(self, item):
        return f"{item.title} · {item.lead_unit.name}"

    def default_deadline(self, start, source, priority):
        """The deadline by source and priority from ``start`` (a date), or None when the rule
        for them is 0 days (the supervisor must give a date)."""
        limit = self.rule(f"complete-{source}-{priority}")
        if not limit.days:
            return None
        return deadlines.deadline_after(start, self.name, f"complete-{source}-{priority}", limit)


class ItemRequestDeadlines(deadlines.DeadlineKind):
    """A pending request is due to be decided by ``decide_due``."""

    name = "supervision-request"
    label = _("Supervision request")
    default_rules = REQUEST_RULES

    def open_items(self, user):
        from apps.supervision.querysets import AREA_ROLES

        if not user.has_role(AREA_ROLES[0]):
            return ItemRequest.objects.none()
        return (
            ItemRequest.objects.filter(
                state=ItemRequest.State.PENDING,
                item__in=SupervisionItem.objects.for_user(user).values("pk"),
            )
            # The title and the link are the item's; its lead unit is not named.
            .select_related("item")
            .order_by("decide_due", "pk")
        )

    def status_of(self, request, now=None):
        if request.state != ItemRequest.State.PENDING:
            return Status(Light.GREEN, Reason.DONE, request.decide_due)
        return deadlines.assess(request.decide_due, now, warn_days=1)

    def title_of(self, request):
        return f"{request.get_kind_display()} · {request.item.title}"


ITEMS = deadlines.register(SupervisionItemDeadlines())
REQUESTS = deadlines.register(ItemRequestDeadlines())


class ProgressDeadlines(deadlines.DeadlineKind):
    """One period's progress feedback of an open item, due by its date (yellow within
    WARN_DAYS, red once missed); met periods are done."""

    name = "supervision-progress"
    label = _("Progress feedback")

    def open_items(self, user):
        from apps.supervision.models import ProgressDue

        return (
            ProgressDue.objects.filter(
                fed_back_at__isnull=True,
                item__state__in=SupervisionItem.OPEN_STATES,
                item__in=SupervisionItem.objects.for_user(user).values("pk"),
            )
            # The title and the link are the item's; its lead unit is not named.
            .select_related("item")
            .order_by("due", "pk")
        )

    def status_of(self, row, now=None):
        if row.fed_back_at is not None:
            return Status(Light.GREEN, Reason.DONE, row.due)
        today = timezone.localdate(now) if now else timezone.localdate()
        return deadlines.assess(row.due, today, warn_days=WARN_DAYS)

    def title_of(self, row):
        return f"{row.item.title} · {row.due:%Y-%m-%d}"


PROGRESS = deadlines.register(ProgressDeadlines())


# --- 整改 ----------------------------------------------------------------------------------------

# A rectification turns yellow this many days before its deadline (rule ``warn``, editable in
# the admin; the data migration stores the same value).
RECTIFICATION_RULES = {"warn": Rule(days=3)}


class RectificationDeadlines(deadlines.DeadlineKind):
    """An open rectification by its deadline (red overdue, yellow within the ``warn`` days);
    submitted is the county's turn (green), verified is done."""

    name = "rectification"
    label = _("Rectification")
    default_rules = RECTIFICATION_RULES

    def open_items(self, user):
        from apps.supervision.models import Rectification

        return (
            Rectification.objects.for_user(user)
            .open()
            # The title names the owner; the link needs only the inspection's id.
            .select_related("owner")
            .order_by("deadline", "pk")
        )

    def warn_days(self):
        return self.rule("warn").days

    def status_of(self, rectification, now=None):
        if rectification.is_closed:
            return Status(Light.GREEN, Reason.DONE, rectification.deadline)
        if not rectification.is_open:
            return Status(Light.GREEN, Reason.ON_TRACK, rectification.deadline)
        today = timezone.localdate(now) if now else timezone.localdate()
        return deadlines.assess(rectification.deadline, today, warn_days=self.warn_days())

    def title_of(self, rectification):
        return f"{rectification.text[:40]} · {rectification.owner.name}"


RECTIFICATIONS = deadlines.register(RectificationDeadlines())
