"""Supervision pages: the list of items, assigning one, the item page where each side takes
its steps, the printable slip and the attachments' download."""

from functools import reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.coordination import services as coordination
from apps.core.api.downloads import StoredFileDownloadView
from apps.core.exports import XLSX_CONTENT_TYPE
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
from apps.organizations.models import OrgUnit
from apps.supervision import forms, reports, services
from apps.supervision.filters import InspectionFilterSet, SupervisionItemFilterSet, item_units
from apps.supervision.models import (
    UNIT_KINDS,
    Attachment,
    Inspection,
    InspectionAttachment,
    Rectification,
    Slip,
    SupervisionItem,
    UnitSupervisionSetting,
)
from apps.supervision.querysets import AREA_ROLES, unit_ids

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
    form_class = forms.ItemExtraStepForm
    write_roles = STEP_ROLES
    read_by_all = True
    actions = {
        "accept": (services.accept_item, ()),
        "feedback": (services.feed_back, ("text", "files")),
        "request": (services.request_change, ("kind", "new_deadline", "reason")),
        "approve-request": (services.approve_request, ()),
        "return-request": (services.return_request, ("reason",)),
        "close": (
            services.close_item,
            ("evaluation", "commendation", "commended_by", "commended_by_name"),
        ),
        "return": (services.return_item, ("reason",)),
        "urge": (services.urge_item, ("text",)),
        "issue-slip": (services.issue_slip, ("colour", "reason")),
        "progress": (services.feed_back_progress, ("text", "period", "files")),
        "approve-feedback": (services.approve_feedback, ("feedback",)),
        "return-feedback": (services.return_feedback, ("feedback", "reason")),
        "commend": (
            services.commend,
            ("commendation", "commended_by", "commended_by_name"),
        ),
    }

    def get_form_kwargs(self):
        return {"user": self.request.user}

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
            approver=services.is_approver(user, item.lead_unit) if side == "lead" else False,
            waiting=[f for f in item.feedbacks.all() if f.approval == "pending"],
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


class AttachmentDownloadView(StoredFileDownloadView):
    """Attachments leave the private store only for people who may open the item."""

    model = Attachment


class ReportView(LoginRequiredMixin, TemplateView):
    """督办事项统计 by month and by lead unit for a year; ``?export=xlsx`` downloads it. County
    admins and leaders see every unit of their area, a township's or department's people their
    own unit's row (and months counting only its items)."""

    template_name = "supervision/report.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(*REPORT_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        year = request.GET.get("year") or today.year
        try:
            report = reports.item_report(year, report_units(request.user), today=today)
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(error=error.messages[0], year=year, years=_years(today))
            )
        if request.GET.get("export") == "xlsx":
            response = HttpResponse(reports.report_xlsx(report), content_type=XLSX_CONTENT_TYPE)
            name = f"supervision-report-{report.year}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return self.render_to_response(
            self.get_context_data(report=report, year=report.year, years=_years(today))
        )


REPORT_ROLES = (Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)


def _years(today):
    return list(range(today.year, today.year - 5, -1))


def report_units(user):
    """The lead units whose rows ``user`` sees (None: every unit, for a superuser)."""
    if user.is_superuser:
        return None
    areas = [m.unit.path for m in user.active_memberships if m.role in AREA_ROLES]
    ids = set(unit_ids(user))
    if areas:
        query = reduce(or_, (Q(path__startswith=path) for path in areas))
        ids |= set(OrgUnit.objects.filter(query, kind__in=UNIT_KINDS).values_list("pk", flat=True))
    return sorted(ids)


def _setting_units(user):
    return OrgUnit.objects.for_user(user).filter(kind__in=UNIT_KINDS)


class UnitSettingListView(LoginRequiredMixin, WriteRoleRequiredMixin, TemplateView):
    """The townships and departments of her area and whether their feedback needs approval."""

    template_name = "supervision/unit_settings.html"
    write_roles = SUPERVISORS

    def get_context_data(self, **kwargs):
        units = _setting_units(self.request.user).order_by("kind", "path")
        settings = {
            setting.unit_id: setting
            for setting in UnitSupervisionSetting.objects.filter(unit__in=units).prefetch_related(
                "approvers"
            )
        }
        rows = [(unit, settings.get(unit.pk)) for unit in units]
        return super().get_context_data(rows=rows, **kwargs)


class UnitSettingView(ServiceFormView):
    """One unit's setting, kept by county admins."""

    template_name = "supervision/unit_setting_form.html"
    form_class = forms.UnitSettingForm
    service = services.save_unit_setting
    write_roles = SUPERVISORS
    success_message = gettext_lazy("Setting saved.")
    success_url = reverse_lazy("supervision:unit-settings")

    def get_step_object(self):
        return get_object_or_404(_setting_units(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"members": services.unit_members(self.get_step_object())}

    def get_form(self, data=None, files=None):
        setting = services.unit_setting(self.object)
        initial = (
            {"requires_approval": setting.requires_approval, "approvers": setting.approvers.all()}
            if setting
            else {}
        )
        return self.form_class(data, files, initial=initial, **self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.object, **kwargs)


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


class InspectionAttachmentDownloadView(StoredFileDownloadView):
    """Inspection records and evidence leave the private store only for who may see them."""

    model = InspectionAttachment
