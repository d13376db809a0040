"""Coordination pages: the directory, referring a case, and the department's referral desk."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from apps.coordination import forms, services
from apps.coordination.filters import (
    ReferralFilterSet,
    ResourceHoursFilterSet,
    ResourceSourceFilterSet,
    ServiceFilterSet,
)
from apps.coordination.models import (
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
)
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
