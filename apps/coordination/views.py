"""Coordination pages: the directory, referring a case, and the department's referral desk."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views import View

from apps.coordination import forms, services
from apps.coordination.filters import ReferralFilterSet, ServiceFilterSet
from apps.coordination.models import Referral, Service
from apps.core.roles import Role
from apps.core.views import (
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    ServiceStepMixin,
    WriteRoleRequiredMixin,
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
        return {"services": Service.objects.with_details().filter(pk__in=suggested)}

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
