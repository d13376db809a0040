"""Coordination pages: the directory, referring a case, and the department's referral desk."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from apps.coordination import forms, services
from apps.coordination.filters import (
    IncomingReferralFilterSet,
    ReferralFilterSet,
    ServiceFilterSet,
)
from apps.coordination.models import IncomingReferral, Referral, Service
from apps.core.access_log import record_access
from apps.core.roles import Role
from apps.core.views import ScopedDetailView, ScopedListView, ServiceFormView, ServiceStepMixin
from apps.liaison import services as liaison
from apps.organizations.models import OrgUnit

KEEPERS = (Role.COUNTY_ADMIN, Role.DEPT_LIAISON)
REFERRERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP)


class ServiceListView(ScopedListView):
    model = Service
    template_name = "coordination/service_list.html"
    filterset_class = ServiceFilterSet

    def get_base_queryset(self):
        return Service.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_keep=self.request.user.has_role(*KEEPERS), **kwargs)


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
        return reverse("coordination:service-list")


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
        return super().get_context_data(
            answers=services.is_liaison_of(self.request.user, self.object.department_id),
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
        return {"services": Service.objects.with_details().filter(pk__in=suggested)}

    def get_service(self):
        return services.refer_case

    def run_service(self, service, form):
        return service(self.request.user, self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(case=self.object, **kwargs)


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
