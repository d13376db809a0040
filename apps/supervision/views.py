"""Supervision pages: the list of items, assigning one, the item page where each side takes
its steps, the printable slip and the attachments' download."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.views import APIView

from apps.core.roles import Role
from apps.core.views import (
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    ServiceStepMixin,
    WriteRoleRequiredMixin,
    add_service_errors,
    run_step,
)
from apps.supervision import forms, services
from apps.supervision.filters import InspectionFilterSet, SupervisionItemFilterSet, item_units
from apps.supervision.models import (
    Attachment,
    Inspection,
    InspectionAttachment,
    Rectification,
    Slip,
    SupervisionItem,
)

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
        return {"units": item_units(self.request)}


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
        return super().get_context_data(
            side=side,
            supervises=services.may_supervise(user, item),
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


# --- 督查 and 整改 -------------------------------------------------------------------------------


class InspectionListView(ScopedListView):
    model = Inspection
    template_name = "supervision/inspection_list.html"
    filterset_class = InspectionFilterSet
    export_name = "inspections"
    export_columns = (
        (gettext_lazy("unit inspected"), lambda inspection: inspection.unit.name),
        (gettext_lazy("inspection date"), lambda inspection: inspection.held_on.isoformat()),
        (gettext_lazy("inspection team"), "team"),
        (gettext_lazy("findings"), "findings"),
    )

    def get_base_queryset(self):
        return Inspection.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_record=self.request.user.has_role(*SUPERVISORS), **kwargs
        )


class InspectionCreateView(ServiceFormView):
    """督查 with its rectifications in one form (an inline formset, one row per finding)."""

    template_name = "supervision/inspection_form.html"
    form_class = forms.InspectionForm
    write_roles = SUPERVISORS

    def get_form_kwargs(self):
        return {"units": item_units(self.request)}

    def get_formset(self, data=None):
        return forms.RectificationFormSet(
            data, prefix="rectifications", form_kwargs={"units": item_units(self.request)}
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.get_formset())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = None
        form = self.get_form(request.POST, request.FILES)
        formset = self.get_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            rows = [row.cleaned_data for row in formset if row.has_row()]
            try:
                inspection = services.record_inspection(
                    request.user, rectifications=rows, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Inspection recorded."))
                return redirect(inspection.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class InspectionDetailView(ScopedDetailView):
    """An inspection with its checklist, findings and the rectifications she may see, each
    with its light and the step she may take on it."""

    model = Inspection
    template_name = "supervision/inspection_detail.html"

    def get_base_queryset(self):
        return Inspection.objects.with_rectifications(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        rectifications = list(self.object.rectifications.all())
        for rectification in rectifications:
            rectification.may_submit = rectification.is_open and services.owns(user, rectification)
            rectification.may_verify = (
                rectification.state == Rectification.State.SUBMITTED
                and services.may_supervise(user, rectification.owner)
            )
        return super().get_context_data(
            rectifications=rectifications, step_form=forms.RectificationStepForm(), **kwargs
        )


class RectificationStepView(WriteRoleRequiredMixin, LoginRequiredMixin, View):
    """The steps on one rectification, posted from the inspection page: ``submit`` by the
    owner unit, ``verify`` (销号) or ``return`` by county staff."""

    http_method_names = ["post"]
    write_roles = STEP_ROLES
    steps = {
        "submit": (services.submit_rectification, ("text", "files"), gettext_lazy("Submitted.")),
        "verify": (
            services.verify_rectification,
            ("comment", "files"),
            gettext_lazy("Rectification verified."),
        ),
        "return": (
            services.return_rectification,
            ("reason",),
            gettext_lazy("Rectification sent back."),
        ),
    }

    def post(self, request, pk):
        rectification = get_object_or_404(Rectification.objects.for_user(request.user), pk=pk)
        form = forms.RectificationStepForm(request.POST, request.FILES)
        step = self.steps.get(request.POST.get("action"))
        if step is None or not form.is_valid():
            messages.error(request, gettext("The step could not be taken: check what you sent."))
            return redirect(rectification.get_absolute_url())
        service, names, success = step
        data = {name: form.cleaned_data[name] for name in names}
        try:
            run_step(request, lambda: service(request.user, rectification, **data), success)
        except DjangoPermissionDenied as error:
            messages.error(request, str(error))
        return redirect(rectification.get_absolute_url())


@extend_schema(exclude=True)
class InspectionAttachmentDownloadView(APIView):
    """Inspection records and evidence leave the private store only for who may see them."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        attachment = get_object_or_404(InspectionAttachment.objects.for_user(request.user), pk=pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
