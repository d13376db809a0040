"""Supervision pages: the list of items, assigning one, the item page where each side takes
its steps, the printable slip and the attachments' download."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.views import APIView

from apps.coordination import services as coordination
from apps.core.roles import Role
from apps.core.views import ScopedDetailView, ScopedListView, ServiceFormView, ServiceStepMixin
from apps.supervision import forms, services
from apps.supervision.filters import SupervisionItemFilterSet, item_units
from apps.supervision.models import Attachment, Slip, SupervisionItem

SUPERVISORS = (Role.COUNTY_ADMIN,)
STEP_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)


class ItemListView(ScopedListView):
    model = SupervisionItem
    template_name = "supervision/item_list.html"
    filterset_class = SupervisionItemFilterSet
    export_name = "supervision-items"
    export_columns = (
        (gettext_lazy("title"), "title"),
        (gettext_lazy("source"), lambda item: item.get_source_display()),
        (gettext_lazy("priority"), lambda item: item.get_priority_display()),
        (gettext_lazy("lead unit"), lambda item: item.lead_unit.name),
        (
            gettext_lazy("cooperating units"),
            lambda item: "、".join(unit.name for unit in item.cooperating_units.all()),
        ),
        (gettext_lazy("assigned at"), lambda item: f"{localtime(item.assigned_at):%Y-%m-%d}"),
        (gettext_lazy("deadline"), lambda item: item.deadline.isoformat()),
        (gettext_lazy("state"), lambda item: item.get_state_display()),
        (gettext_lazy("slip"), lambda item: item.get_slip_display()),
        (gettext_lazy("times returned"), "return_count"),
        (gettext_lazy("evaluation"), lambda item: item.get_evaluation_display()),
    )

    def get_base_queryset(self):
        return SupervisionItem.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_assign=self.request.user.has_role(*SUPERVISORS), **kwargs
        )


class ItemCreateView(ServiceFormView):
    template_name = "supervision/item_form.html"
    form_class = forms.ItemForm
    service = services.assign_item
    write_roles = SUPERVISORS
    success_message = gettext_lazy("Item assigned.")

    def get_form_kwargs(self):
        decisions = coordination.decisions_for_supervision(self.request.user)
        return {
            "units": item_units(self.request),
            "decisions": decisions,
            "initial": decision_initial(decisions, self.request.GET.get("decision")),
        }


def decision_initial(decisions, decision_id):
    """The form filled from the decision an item is about to take over (``?decision=``)."""
    decision = decisions.filter(pk=decision_id).first() if str(decision_id).isdigit() else None
    if decision is None:
        return {}
    return {
        "meeting_decision": decision.pk,
        "title": decision.text[:200],
        "description": gettext("Decided at %(meeting)s on %(date)s: %(text)s")
        % {
            "meeting": decision.meeting.title,
            "date": decision.meeting.held_on.isoformat(),
            "text": decision.text,
        },
        "source": "meeting",
        "lead_unit": decision.owner_id,
        "deadline": decision.deadline,
    }


class ItemDetailView(ServiceStepMixin, ScopedDetailView):
    """An item with its feedback, requests and log; the unit and the supervisor act here."""

    model = SupervisionItem
    template_name = "supervision/item_detail.html"
    form_class = forms.ItemStepForm
    write_roles = STEP_ROLES
    read_by_all = True
    actions = {
        "accept": (services.accept_item, ()),
        "feedback": (services.feed_back, ("text", "files")),
        "request": (services.request_change, ("kind", "new_deadline", "reason")),
        "approve-request": (services.approve_request, ()),
        "return-request": (services.return_request, ("reason",)),
        "close": (services.close_item, ("evaluation",)),
        "return": (services.return_item, ("reason",)),
        "urge": (services.urge_item, ("text",)),
        "issue-slip": (services.issue_slip, ("colour", "reason")),
    }
    success_message = gettext_lazy("Item updated.")

    def get_base_queryset(self):
        return SupervisionItem.objects.with_history()

    def get_context_data(self, **kwargs):
        user, item = self.request.user, self.object
        side, _unit = services.unit_side(user, item)
        pending = [r for r in item.requests.all() if r.state == "pending"]
        decision = item.meeting_decision_id and coordination.decision_for(
            user, item.meeting_decision_id
        )
        return super().get_context_data(
            side=side,
            supervises=services.may_supervise(user, item),
            meeting_decision=decision,
            pending=pending[0] if pending else None,
            **kwargs,
        )

    def _action(self):
        return self.actions.get(self.request.POST.get("action"))

    def get_service(self):
        action = self._action()
        return action[0] if action else None

    def get_service_data(self, form):
        return {name: form.cleaned_data[name] for name in self._action()[1]}


class SlipPrintView(ScopedDetailView):
    """三色督办单 as a printable page."""

    model = Slip
    template_name = "supervision/slip_print.html"

    def get_base_queryset(self):
        return Slip.objects.select_related("item", "item__lead_unit", "unit", "issued_by")


@extend_schema(exclude=True)
class AttachmentDownloadView(APIView):
    """Attachments leave the private store only for people who may open the item."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.for_user(request.user), pk=pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
