"""Coordination pages: the directory, referring a case, and the department's referral desk."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.models import User
from apps.coordination import forms, services
from apps.coordination.deadlines import FOLLOW_UP_VISITS, PROTECTION_ORDERS
from apps.coordination.filters import (
    IncomingReferralFilterSet,
    JointMeetingFilterSet,
    ReferralFilterSet,
    ResourceHoursFilterSet,
    ResourceSourceFilterSet,
    ServiceFilterSet,
)
from apps.coordination.models import (
    FollowUpVisit,
    IncomingReferral,
    JointMeeting,
    LiaisonOfficer,
    MandatoryReport,
    MeetingConvener,
    MeetingDecision,
    MeetingFile,
    MemberDepartment,
    ProtectionOrder,
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
    WarningLetter,
)
from apps.core.access_log import record_access
from apps.core.api.downloads import StoredFileDownloadView
from apps.core.personal_data import phone_for
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
from apps.liaison import services as liaison
from apps.organizations.models import OrgUnit, Period

KEEPERS = (Role.COUNTY_ADMIN, Role.DEPT_LIAISON)
REFERRERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP)


class ServiceListView(ScopedListView):
    model = Service
    template_name = "coordination/service_list.html"
    filterset_class = ServiceFilterSet

    def get_base_queryset(self):
        return Service.objects.with_details()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(may_keep=self.request.user.has_role(*KEEPERS), **kwargs)
        for service in context["object_list"]:
            # Her memberships are loaded already: no query per row.
            service.may_edit = services.may_keep(self.request.user, service.department)
        return context


class ServiceCreateView(ServiceFormView):
    template_name = "coordination/service_form.html"
    form_class = forms.ServiceForm
    service = services.save_service
    write_roles = KEEPERS
    success_message = gettext_lazy("Service saved.")

    def get_form_kwargs(self):
        user = self.request.user
        departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).order_by("path")
        if not user.is_superuser:
            units = [m.unit_id for m in user.active_memberships if m.role == Role.DEPT_LIAISON]
            paths = [m.unit.path for m in user.active_memberships if m.role == Role.COUNTY_ADMIN]
            allowed = Q(pk__in=units)
            for path in paths:
                allowed |= Q(path__startswith=path)
            departments = departments.filter(allowed)
        return {"departments": departments, "instance": self.object}

    def get_success_url(self, result):
        return result.get_absolute_url()


class ServiceUpdateView(ServiceCreateView):
    def get_step_object(self):
        return get_object_or_404(Service.objects.kept_by(self.request.user), pk=self.kwargs["pk"])


class ReferralListView(ScopedListView):
    model = Referral
    template_name = "coordination/referral_list.html"
    filterset_class = ReferralFilterSet

    def get_base_queryset(self):
        return Referral.objects.with_details()


class ReferralDetailView(ServiceStepMixin, ScopedDetailView):
    """A referral as its reader may see it; its department's liaison moves it on."""

    model = Referral
    template_name = "coordination/referral_detail.html"
    form_class = forms.ReferralStepForm
    write_roles = (Role.DEPT_LIAISON,)
    read_by_all = True
    actions = {
        "accept": (services.accept_referral, ()),
        "start": (services.start_referral, ()),
        "complete": (services.complete_referral, ("outcome",)),
        "decline": (services.decline_referral, ("reason",)),
    }
    success_message = gettext_lazy("Referral updated.")

    def get_base_queryset(self):
        return Referral.objects.with_details()

    def get_context_data(self, **kwargs):
        user, referral = self.request.user, self.object
        rates = (
            referral.state == Referral.State.COMPLETED
            and not referral.satisfaction
            and user.has_role(*REFERRERS)
            and liaison.can_handle(user, referral.case)
        )
        return super().get_context_data(
            answers=services.is_liaison_of(user, referral.department_id),
            rate_form=forms.ReferralRateForm() if rates else None,
            **kwargs,
        )

    def _action(self):
        return self.actions.get(self.request.POST.get("action"))

    def get_service(self):
        action = self._action()
        return action[0] if action else None

    def get_service_data(self, form):
        return {name: form.cleaned_data[name] for name in self._action()[1]}


class ReferralCreateView(ServiceFormView):
    """转介 from a case page: ``?case=<id>`` names a case the user may open."""

    template_name = "coordination/referral_form.html"
    form_class = forms.ReferralForm
    write_roles = REFERRERS
    success_message = gettext_lazy("Referral sent.")

    def get_step_object(self):
        case_id = self.request.GET.get("case") or self.request.POST.get("case")
        if not str(case_id or "").isdigit():
            raise Http404
        return get_object_or_404(liaison.cases_for(self.request.user), pk=case_id)

    def get_form_kwargs(self):
        suggested = [s.pk for s in services.services_for(self.object)]
        # The pathway's shelter link names the service (?service=<id>).
        service = self.request.GET.get("service")
        initial = {"service": service} if str(service or "").isdigit() else None
        return {
            "services": Service.objects.with_details().filter(pk__in=suggested),
            "initial": initial,
        }

    def get_service(self):
        return services.refer_case

    def run_service(self, service, form):
        return service(self.request.user, self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.object, **kwargs)


class ServiceDetailView(ScopedDetailView):
    """A service as everyone signed in reads it; its keepers get the edit button."""

    model = Service
    template_name = "coordination/service_detail.html"

    def get_base_queryset(self):
        return Service.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_keep=services.may_keep(self.request.user, self.object.department), **kwargs
        )


class ReferralRateView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    """The referring side records her satisfaction with a completed referral."""

    write_roles = REFERRERS

    def post(self, request, pk):
        referral = get_object_or_404(Referral.objects.for_user(request.user), pk=pk)
        form = forms.ReferralRateForm(request.POST)
        satisfaction = form.cleaned_data["satisfaction"] if form.is_valid() else ""
        run_step(
            request,
            lambda: services.rate_referral(request.user, referral, satisfaction=satisfaction),
            gettext_lazy("Her satisfaction is recorded."),
        )
        return redirect(referral)


class ResponsivenessView(LoginRequiredMixin, View):
    """部门响应: county staff and leaders see every department in their area, a department
    liaison her own; township staff and village representatives none (403)."""

    def get(self, request):
        departments = services.responsive_departments(request.user)
        if departments is None:
            raise PermissionDenied
        form = forms.ResponsivenessForm(request.GET or None)
        chosen = form.cleaned_data["period"] if form.is_valid() else None
        period = chosen or Period.objects.current_year()
        rows = []
        if period:
            rows = services.responsiveness(
                period, departments, with_reasons=services.shows_reasons(request.user)
            )
        return render(
            request,
            "coordination/responsiveness.html",
            {"form": form, "rows": rows, "period": period},
        )


# --- the domestic-violence pathway -------------------------------------------------------------


class PathwayView(LoginRequiredMixin, WriteRoleRequiredMixin, TemplateView):
    """反家暴联动 on one sensitive case: warning letters and their 查访, protection orders, the
    mandatory report and shelter, with a form for each step. Open only to those who may open
    the case (liaison's cases_for); any other case is not found. Each POST names its
    ``action`` (and the ``item`` it acts on, for steps on a record)."""

    template_name = "coordination/pathway.html"
    write_roles = REFERRERS
    # action: (form, service, model of the record it acts on, or None for the case)
    steps = {
        "warning_letter": (forms.WarningLetterForm, services.record_warning_letter, None),
        "follow_up_visit": (
            forms.FollowUpVisitForm,
            services.record_follow_up_visit,
            FollowUpVisit,
        ),
        "protection_order": (forms.ProtectionOrderForm, services.apply_protection_order, None),
        "decision": (
            forms.ProtectionOrderDecisionForm,
            services.decide_protection_order,
            ProtectionOrder,
        ),
        "mandatory_report": (forms.MandatoryReportForm, services.flag_mandatory_report, None),
        "report_sent": (
            forms.MandatoryReportSentForm,
            services.record_mandatory_report,
            MandatoryReport,
        ),
    }
    success_message = gettext_lazy("Saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.failed = None  # (action, item id, bound form) of a refused POST

    def get_case(self):
        cases = liaison.cases_for(self.request.user).filter(is_sensitive=True)
        return get_object_or_404(
            cases.select_related("unit", "representative", "contact"), pk=self.kwargs["case"]
        )

    def make_form(self, action, data=None, item=None):
        form_class, _service, model = self.steps[action]
        kwargs = {}
        if model is not None:
            kwargs["items"] = model.objects.for_user(self.request.user).filter(case=self.case)
        if action == "follow_up_visit":
            kwargs["visits"] = self.visit_choices
        initial = {"item": item} if item is not None else None
        return form_class(data, initial=initial, **kwargs)

    @cached_property
    def visit_choices(self):
        """Her logged visits to this household, read once for every 查访 form on the page."""
        user, household = self.request.user, self.case.contact_id

        def visits():
            return liaison.visits_for(user).filter(contacts=household)

        rows = visits().order_by("-visited_on", "-pk").values_list("pk", "visited_on")
        return visits, [(pk, str(day)) for pk, day in rows[:50]]

    def get(self, request, *args, **kwargs):
        self.case = self.get_case()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.case = self.get_case()
        action = request.POST.get("action")
        if action not in self.steps:
            raise Http404
        form = self.make_form(action, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            target = data.pop("item", None) or self.case
            try:
                self.steps[action][1](request.user, target, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect("coordination:pathway", self.case.pk)
        self.failed = (action, form.data.get("item", ""), form)
        return self.render_to_response(self.get_context_data())

    def form_for(self, action, item=None):
        """The refused form where it was refused, else a fresh one."""
        if self.failed and self.failed[0] == action and self.failed[1] == str(item or ""):
            return self.failed[2]
        return self.make_form(action, item=item)

    def get_context_data(self, **kwargs):
        user, case = self.request.user, self.case
        letters = list(
            WarningLetter.objects.for_user(user)
            .filter(case=case)
            .select_related("follow_up_visit__done_by", "follow_up_visit__visit")
        )
        orders = list(ProtectionOrder.objects.for_user(user).filter(case=case))
        report = MandatoryReport.objects.for_user(user).filter(case=case).first()
        for letter in letters:
            visit = letter.follow_up_visit
            visit.status = FOLLOW_UP_VISITS.status_of(visit)
            if visit.is_open:
                visit.form = self.form_for("follow_up_visit", visit.pk)
        for order in orders:
            order.status = PROTECTION_ORDERS.status_of(order)
            if order.is_pending:
                order.form = self.form_for("decision", order.pk)
        if report is not None and not report.is_reported:
            report.form = self.form_for("report_sent", report.pk)
        shelters = Referral.objects.for_user(user).filter(case=case, service__provides_shelter=True)
        return super().get_context_data(
            case=case,
            letters=letters,
            closer_follow_up=len(letters) >= services.CLOSER_FOLLOW_UP_LETTERS,
            orders=orders,
            report=report,
            shelter_services=services.shelter_services_for(case),
            shelter_referrals=shelters.with_details(),
            letter_form=self.form_for("warning_letter"),
            order_form=self.form_for("protection_order"),
            report_form=self.form_for("mandatory_report"),
            **kwargs,
        )


# --- referrals to the federation (部门转来) ----------------------------------------------------

RECEIVERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


class IncomingReferralListView(ScopedListView):
    """Departments' referrals to the federation: the sending department's own, the receiving
    unit's. No personal data in the list: the department, the unit, the category, the state."""

    model = IncomingReferral
    template_name = "coordination/incoming_list.html"
    filterset_class = IncomingReferralFilterSet

    def get_base_queryset(self):
        return IncomingReferral.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_send=self.request.user.has_role(Role.DEPT_LIAISON), **kwargs
        )


class IncomingReferralCreateView(ServiceFormView):
    """A department liaison refers a woman to the county federation or a township's."""

    template_name = "coordination/incoming_form.html"
    form_class = forms.IncomingReferralForm
    service = services.refer_to_federation
    write_roles = (Role.DEPT_LIAISON,)
    success_message = gettext_lazy("Referral sent to the federation.")

    def get_form_kwargs(self):
        user = self.request.user
        ids = [m.unit_id for m in user.active_memberships if m.role == Role.DEPT_LIAISON]
        return {
            "departments": services.own_departments(user),
            "units": services.addressable_units(user),
            "villages": services.addressable_villages(user),
            "initial": {"department": ids[0]} if len(ids) == 1 else {},
        }


class IncomingReferralDetailView(ServiceStepMixin, ScopedDetailView):
    """A referral to the federation as its reader may see it. The receiving staff accept it
    into a village and a representative (which opens the case) or decline it; the department
    sees its state, never the case. Her details are logged on every reading."""

    model = IncomingReferral
    template_name = "coordination/incoming_detail.html"
    form_class = forms.IncomingReferralStepForm
    write_roles = RECEIVERS
    read_by_all = True
    actions = {
        "accept": (services.accept_incoming_referral, ("village", "representative")),
        "decline": (services.decline_incoming_referral, ("reason",)),
    }
    success_message = gettext_lazy("Referral updated.")

    def get_base_queryset(self):
        return IncomingReferral.objects.with_details()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record_access(request.user, self.object, request)
        return response

    def _answers(self):
        return self.object.is_open and services.may_receive(self.request.user, self.object)

    def get_form_kwargs(self):
        if not self._answers():
            none = OrgUnit.objects.none()
            return {"villages": none, "representatives": none}
        villages = services.receiving_villages(self.request.user).order_by("path")
        return {
            "villages": villages,
            "representatives": liaison.representatives_in(villages),
        }

    def get_context_data(self, **kwargs):
        user = self.request.user
        referral = self.object
        case = None
        if referral.case_id and user.has_role(*RECEIVERS):
            case = liaison.cases_for(user).filter(pk=referral.case_id).first()
        return super().get_context_data(
            answers=self._answers(),
            phone=referral.phone
            if services.may_read_contact(user, referral)
            else referral.masked_phone,
            case=case,
            **kwargs,
        )

    def _action(self):
        return self.actions.get(self.request.POST.get("action"))

    def get_service(self):
        action = self._action()
        return action[0] if action else None

    def get_service_data(self, form):
        return {name: form.cleaned_data[name] for name in self._action()[1]}


class IncomingReferralPrintView(ScopedDetailView):
    """转介函 (``letter``) or, once accepted, 转介接收单 (``receipt``) of a referral to the
    federation, on A4. It carries what the page shows its reader (the phone masked for the
    department), never the case; printing it is logged like reading it."""

    model = IncomingReferral
    template_name = "coordination/incoming_print.html"

    def get_base_queryset(self):
        return IncomingReferral.objects.with_details()

    def get_object(self, queryset=None):
        referral = super().get_object(queryset)
        if self.kwargs["document"] == "receipt" and referral.state != referral.State.ACCEPTED:
            raise Http404
        record_access(self.request.user, referral, self.request)
        return referral

    def get_context_data(self, **kwargs):
        referral = self.object
        return super().get_context_data(
            document=self.kwargs["document"],
            phone=referral.phone
            if services.may_read_contact(self.request.user, referral)
            else referral.masked_phone,
            **kwargs,
        )


class ReferralPrintView(ScopedDetailView):
    """转介函 or, once the department accepted it, 转介接收单 of a referral to a department: only
    what the referral carries (category, the need and contact she agreed to share), never the
    case's history."""

    model = Referral
    template_name = "coordination/referral_print.html"

    def get_base_queryset(self):
        return Referral.objects.with_details().select_related("referred_by", "handled_by")

    def get_object(self, queryset=None):
        referral = super().get_object(queryset)
        if self.kwargs["document"] == "receipt" and referral.accepted_at is None:
            raise Http404
        return referral

    def get_context_data(self, **kwargs):
        return super().get_context_data(document=self.kwargs["document"], **kwargs)


# --- the resource ledger ----------------------------------------------------------------------

LEDGER_KEEPERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
HOURS_LOGGERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP)


def _kept_units(user):
    """The federation units whose ledger ``user`` keeps."""
    units = OrgUnit.objects.filter(kind__in=services.LEDGER_UNIT_KINDS).order_by("path")
    if user.is_superuser:
        return units
    paths = [m.unit.path for m in user.active_memberships if m.role in LEDGER_KEEPERS]
    allowed = Q(pk__in=[])
    for path in paths:
        allowed |= Q(path__startswith=path)
    return units.filter(allowed)


class ResourceSourceListView(ScopedListView):
    """The ledger: each source with what it received and its balance."""

    model = ResourceSource
    template_name = "coordination/resource_list.html"
    filterset_class = ResourceSourceFilterSet
    export_name = "resources"
    export_columns = (
        (gettext_lazy("owning unit"), lambda s: s.unit.name),
        (gettext_lazy("kind"), lambda s: s.get_kind_display()),
        (gettext_lazy("name"), "name"),
        (gettext_lazy("donor"), "donor"),
        (gettext_lazy("budget line"), "budget_line"),
        (gettext_lazy("received on"), "received_on"),
        (gettext_lazy("unit of measure"), lambda s: s.get_measure_display()),
        (gettext_lazy("received in total"), lambda s: float(s.received)),
        (gettext_lazy("balance"), lambda s: float(s.balance)),
    )

    def get_base_queryset(self):
        return ResourceSource.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_keep=self.request.user.has_role(*LEDGER_KEEPERS), **kwargs
        )


class ResourceSourceCreateView(ServiceFormView):
    template_name = "coordination/resource_form.html"
    form_class = forms.ResourceSourceForm
    service = services.add_source
    write_roles = LEDGER_KEEPERS
    success_message = gettext_lazy("Source added.")

    def get_form_kwargs(self):
        return {"units": _kept_units(self.request.user)}


class ResourceSourceDetailView(ScopedDetailView):
    """A source and its ledger lines (case lines as the reader may see them)."""

    model = ResourceSource
    template_name = "coordination/resource_detail.html"
    paginate_by = 50

    def get_base_queryset(self):
        return ResourceSource.objects.with_details()

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        entries = (
            ResourceEntry.objects.for_user(self.request.user)
            .with_details()
            .filter(source=self.object)
        )
        page = Paginator(entries, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            entries=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            may_keep=services.may_keep_ledger(self.request.user, self.object.unit),
            **kwargs,
        )


class ResourceStepView(ServiceFormView):
    """A step on one source the user may read: receive, allocate or reverse."""

    template_name = "coordination/resource_step.html"
    write_roles = LEDGER_KEEPERS
    title = ""

    def get_step_object(self):
        return get_object_or_404(
            ResourceSource.objects.for_user(self.request.user).with_details(),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.object, title=self.title, **kwargs)


class ResourceReceiveView(ResourceStepView):
    form_class = forms.ResourceReceiptForm
    service = services.receive_resource
    title = gettext_lazy("Receive into this source")
    success_message = gettext_lazy("Receipt entered.")

    def get_success_url(self, result):
        return self.object.get_absolute_url()


class ResourceAllocateView(ResourceStepView):
    form_class = forms.ResourceAllocationForm
    service = services.allocate_resource
    title = gettext_lazy("Allocate from this source")
    success_message = gettext_lazy("Allocation entered.")

    def get_form_kwargs(self):
        villages = OrgUnit.objects.filter(
            kind=OrgUnit.Kind.VILLAGE, path__startswith=self.object.unit.path
        ).order_by("path")
        return {"villages": villages, "cases": liaison.cases_for(self.request.user)}

    def get_success_url(self, result):
        return self.object.get_absolute_url()


class ResourceReverseView(ResourceStepView):
    form_class = forms.ResourceReversalForm
    service = services.reverse_entry
    title = gettext_lazy("Reverse an entry")
    success_message = gettext_lazy("Entry reversed.")

    def get_form_kwargs(self):
        entries = ResourceEntry.objects.filter(source=self.object, reversed_by__isnull=True)
        return {"entries": entries.exclude(kind=ResourceEntry.Kind.REVERSAL)}

    def get_success_url(self, result):
        return self.object.get_absolute_url()


class ResourceHoursListView(ScopedListView):
    """Hours given to cases, with totals per kind of person and per month."""

    model = ResourceHours
    template_name = "coordination/hours_list.html"
    filterset_class = ResourceHoursFilterSet

    def get_base_queryset(self):
        return ResourceHours.objects.with_details()

    def get_context_data(self, **kwargs):
        user = self.request.user
        kinds = dict(ResourceHours.PersonKind.choices)
        by_kind = [
            {"label": kinds.get(row["key"], row["key"]), "hours": row["hours"]}
            for row in services.hours_totals(user, by="person_kind")
        ]
        return super().get_context_data(
            by_kind=by_kind,
            by_month=services.hours_totals(user, by="month"),
            may_log=user.has_role(*HOURS_LOGGERS),
            **kwargs,
        )


class ResourceHoursCreateView(ServiceFormView):
    """Hours given to a case the user handles (``?case=<id>`` picks it)."""

    template_name = "coordination/hours_form.html"
    form_class = forms.ResourceHoursForm
    service = services.log_hours
    write_roles = HOURS_LOGGERS
    success_message = gettext_lazy("Hours logged.")

    def get_form_kwargs(self):
        cases = liaison.cases_for(self.request.user).order_by("-pk")
        return {
            "cases": cases,
            "services": Service.objects.with_details().active(),
            "initial": {"case": self.request.GET.get("case")},
        }

    def get_form(self, data=None, files=None):
        kwargs = self.get_form_kwargs()
        initial = kwargs.pop("initial")
        return self.form_class(data, files, initial=initial, **kwargs)

    def get_success_url(self, result):
        return reverse("coordination:hours-list")


# --- 联席会议 ---

MEETING_KEEPERS = (Role.COUNTY_ADMIN,)


def _member_departments(user):
    """The departments of the systems ``user`` reads (the choices for "present")."""
    members = MemberDepartment.objects.for_user(user).filter(left_on__isnull=True)
    return OrgUnit.objects.filter(pk__in=members.values("department")).order_by("path")


def _owner_choices(user):
    return OrgUnit.objects.for_user(user).filter(kind=OrgUnit.Kind.DEPARTMENT).order_by("path")


def _liaison_accounts(user):
    return User.objects.working_in(_owner_choices(user), role=Role.DEPT_LIAISON).order_by(
        "full_name", "pk"
    )


class MeetingListView(ScopedListView):
    """Joint meetings by year and department, each with its decisions' counts."""

    model = JointMeeting
    template_name = "coordination/meeting_list.html"
    filterset_class = JointMeetingFilterSet
    export_name = "joint-meetings"
    export_columns = (
        (gettext_lazy("held on"), "held_on"),
        (gettext_lazy("title"), "title"),
        (gettext_lazy("place"), "place"),
        (gettext_lazy("decisions"), "decision_count"),
        (gettext_lazy("open decisions"), "open_count"),
    )

    def get_base_queryset(self):
        return (
            JointMeeting.objects.with_details()
            .annotate(
                decision_count=Count("decisions", distinct=True),
                open_count=Count("decisions", filter=Q(decisions__state="open"), distinct=True),
            )
            .order_by("-held_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_keep=self.request.user.has_role(*MEETING_KEEPERS), **kwargs
        )


class MeetingDetailView(ScopedDetailView):
    """A meeting with its minutes, files and decisions with their lights."""

    model = JointMeeting
    template_name = "coordination/meeting_detail.html"

    def get_base_queryset(self):
        return JointMeeting.objects.with_details().prefetch_related(
            Prefetch("decisions", MeetingDecision.objects.select_related("owner")), "files"
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_keep = JointMeeting.objects.kept_by(user).filter(pk=self.object.pk).exists()
        decisions = [
            (decision, services.decision_status(decision))
            for decision in self.object.decisions.all()
        ]
        return super().get_context_data(may_keep=may_keep, decisions=decisions, **kwargs)


class MeetingCreateView(ServiceFormView):
    """Record a meeting with its decisions (an inline formset): saved all or nothing."""

    template_name = "coordination/meeting_form.html"
    form_class = forms.MeetingForm
    service = services.save_meeting
    write_roles = MEETING_KEEPERS
    success_message = gettext_lazy("Joint meeting saved.")

    def get_form_kwargs(self):
        user = self.request.user
        conveners = MeetingConvener.objects.for_user(user).filter(is_active=True)
        return {
            "conveners": conveners,
            "departments": _member_departments(user),
            "instance": self.object,
        }

    def get_formset(self, data=None):
        initial = []
        if self.object is not None:
            initial = [
                {"id": d.pk, "text": d.text, "owner": d.owner, "deadline": d.deadline}
                for d in self.object.decisions.select_related("owner")
            ]
        return forms.DecisionFormSet(
            data,
            prefix="decisions",
            initial=initial,
            form_kwargs={"owners": _owner_choices(self.request.user)},
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.get_formset())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_step_object()
        form = self.get_form(request.POST, request.FILES)
        formset = self.get_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            data["decisions"] = [
                row.cleaned_data
                for row in formset.forms
                if not row.cleaned_data.get("DELETE") and not row.is_blank()
            ]
            for row in data["decisions"]:
                row.pop("DELETE", None)
            try:
                meeting = services.save_meeting(request.user, self.object, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message)
                return redirect(meeting.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class MeetingUpdateView(MeetingCreateView):
    def get_step_object(self):
        meeting = JointMeeting.objects.kept_by(self.request.user).with_details()
        return get_object_or_404(meeting, pk=self.kwargs["pk"])


class MeetingFileDownloadView(StoredFileDownloadView):
    """A minutes file leaves the private store only for those who may read its meeting (an API
    view like objectives' evidence, so the link works with a session and with a token)."""

    model = MeetingFile


class DecisionDetailView(ServiceStepMixin, ScopedDetailView):
    """One decision with its light; the owner department's liaison marks it done."""

    model = MeetingDecision
    template_name = "coordination/decision_detail.html"
    form_class = forms.DecisionDoneForm
    service = services.complete_decision
    write_roles = (Role.DEPT_LIAISON,)
    read_by_all = True
    success_message = gettext_lazy("Decision marked done.")

    def get_base_queryset(self):
        return MeetingDecision.objects.with_details().select_related("done_by")

    def get_context_data(self, **kwargs):
        decision, user = self.object, self.request.user
        return super().get_context_data(
            status=services.decision_status(decision),
            answers=decision.is_open and services.is_liaison_of(user, decision.owner_id),
            meeting_visible=JointMeeting.objects.for_user(self.request.user)
            .filter(pk=decision.meeting_id)
            .exists(),
            **kwargs,
        )


class MeetingMembersView(LoginRequiredMixin, TemplateView):
    """The joint-meeting system: conveners, member departments and each one's 联络员 with the
    history of changes. Phones are shown as apps.core.personal_data allows."""

    template_name = "coordination/meeting_members.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        officers = LiaisonOfficer.objects.order_by("-since", "-pk")
        members = list(
            MemberDepartment.objects.for_user(user)
            .select_related("department")
            .prefetch_related(Prefetch("officers", officers))
        )
        for member in members:
            for officer in member.officers.all():
                officer.shown_phone = phone_for(user, officer)
        return super().get_context_data(
            conveners=MeetingConvener.objects.for_user(user).select_related("user"),
            members=members,
            may_keep=user.has_role(*MEETING_KEEPERS),
            **kwargs,
        )


class MemberCreateView(ServiceFormView):
    template_name = "coordination/meeting_member_form.html"
    form_class = forms.MemberForm
    service = services.add_member
    write_roles = MEETING_KEEPERS
    success_url = reverse_lazy("coordination:meeting-members")
    success_message = gettext_lazy("Member department added.")

    def get_form_kwargs(self):
        user = self.request.user
        return {"departments": _owner_choices(user), "officers": _liaison_accounts(user)}


class LiaisonOfficerChangeView(ServiceFormView):
    """A member department's new 联络员 from a date."""

    template_name = "coordination/meeting_member_form.html"
    form_class = forms.LiaisonOfficerForm
    service = services.change_liaison_officer
    write_roles = MEETING_KEEPERS
    success_url = reverse_lazy("coordination:meeting-members")
    success_message = gettext_lazy("Liaison officer changed.")

    def get_step_object(self):
        members = MemberDepartment.objects.for_user(self.request.user).select_related(
            "department", "county"
        )
        return get_object_or_404(members, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"officers": _liaison_accounts(self.request.user)}


class ConvenerCreateView(ServiceFormView):
    template_name = "coordination/meeting_member_form.html"
    form_class = forms.ConvenerForm
    service = services.save_convener
    write_roles = MEETING_KEEPERS
    success_url = reverse_lazy("coordination:meeting-members")
    success_message = gettext_lazy("Convener saved.")

    def get_form_kwargs(self):
        return {"instance": self.object}


class ConvenerUpdateView(ConvenerCreateView):
    def get_step_object(self):
        conveners = MeetingConvener.objects.for_user(self.request.user).select_related("county")
        return get_object_or_404(conveners, pk=self.kwargs["pk"])
