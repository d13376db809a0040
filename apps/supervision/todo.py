"""Supervision's to-do items: open items of the lead unit's people (to accept, then to feed
back), and for county admins the requests waiting for their decision and the feedback waiting
to be closed or returned."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import deadlines, todo
from apps.core.deadlines import Light, Reason, Status
from apps.core.roles import Role
from apps.supervision.models import SupervisionItem


class SupervisionItemTodo(todo.TodoKind):
    """Items her unit leads, still to accept or to feed back on."""

    name = "supervision-item"
    label = _("Supervised item")
    roles = frozenset({Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON})
    deadline_kind = "supervision-item"

    def items(self, user):
        return (
            SupervisionItem.objects.for_user(user)
            .led_by(user)
            .open()
            .select_related("lead_unit")
            .order_by("deadline", "pk")
        )


class SupervisionRequestTodo(todo.TodoKind):
    """Extension, suspension and stage-completion requests waiting for the supervisor."""

    name = "supervision-request"
    label = _("Supervision request to decide")
    roles = frozenset({Role.COUNTY_ADMIN})
    deadline_kind = "supervision-request"

    def items(self, user):
        return self.deadline.open_items(user)


class SupervisionFeedbackTodo(todo.TodoKind):
    """Items fed back, waiting to be closed or returned (green: the unit has answered)."""

    name = "supervision-feedback"
    label = _("Supervision feedback to review")
    roles = frozenset({Role.COUNTY_ADMIN})
    deadline_kind = "supervision-item"

    def items(self, user):
        if not user.has_role(Role.COUNTY_ADMIN):
            return SupervisionItem.objects.none()
        return (
            SupervisionItem.objects.for_user(user)
            .filter(state=SupervisionItem.State.FEEDBACK)
            .select_related("lead_unit")
            .order_by("feedback_at", "pk")
        )

    def status_of(self, item, now=None):
        return Status(Light.GREEN, Reason.ON_TRACK, item.deadline)


todo.register(SupervisionItemTodo())
todo.register(SupervisionRequestTodo())
todo.register(SupervisionFeedbackTodo())


AHEAD_DAYS = 31


class SupervisionProgressTodo(todo.TodoKind):
    """Periods of progress feedback her unit owes on the items it leads: missed ones and those
    due within a month (later ones are not on her list yet)."""

    name = "supervision-progress"
    label = _("Progress feedback due")
    roles = frozenset({Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON})
    deadline_kind = "supervision-progress"

    def items(self, user):
        from apps.supervision.querysets import unit_ids

        soon = timezone.localdate() + timedelta(days=AHEAD_DAYS)
        return self.deadline.open_items(user).filter(
            item__lead_unit__in=unit_ids(user), due__lte=soon
        )


class SupervisionApprovalTodo(todo.TodoKind):
    """Her unit's feedback waiting for her approval (she is a named approver)."""

    name = "supervision-approval"
    label = _("Feedback to approve")
    roles = frozenset({Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON})
    deadline_kind = "supervision-item"

    def items(self, user):
        from apps.supervision.models import ItemFeedback

        return (
            ItemFeedback.objects.filter(
                approval="pending",
                item__lead_unit__supervision_setting__approvers=user,
                item__in=SupervisionItem.objects.for_user(user).values("pk"),
            )
            .select_related("item", "item__lead_unit", "progress")
            .order_by("created_at", "pk")
        )

    def status_of(self, feedback, now=None):
        due = feedback.progress.due if feedback.progress_id else feedback.item.deadline
        return deadlines.assess(due, now, warn_days=1)

    def title_of(self, feedback):
        return f"{feedback.item.title} · {feedback.item.lead_unit.name}"

    def url_of(self, feedback):
        return feedback.item.get_absolute_url()


todo.register(SupervisionProgressTodo())
todo.register(SupervisionApprovalTodo())


class RectificationTodo(todo.TodoKind):
    """Open rectifications her unit owns: to put right and submit by the deadline."""

    name = "rectification"
    label = _("Rectification")
    roles = frozenset({Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON})
    deadline_kind = "rectification"

    def items(self, user):
        return self.deadline.open_items(user).owned_by(user)


class RectificationVerifyTodo(todo.TodoKind):
    """Rectifications submitted by their owners, waiting for county staff to verify (销号)."""

    name = "rectification-verify"
    label = _("Rectification to verify")
    roles = frozenset({Role.COUNTY_ADMIN})
    deadline_kind = "rectification"

    def items(self, user):
        from apps.supervision.models import Rectification

        if not user.has_role(Role.COUNTY_ADMIN):
            return Rectification.objects.none()
        return (
            Rectification.objects.for_user(user)
            .filter(state=Rectification.State.SUBMITTED)
            # The title names the owner; the link needs only the inspection's id.
            .select_related("owner")
            .order_by("submitted_at", "pk")
        )


todo.register(RectificationTodo())
todo.register(RectificationVerifyTodo())
