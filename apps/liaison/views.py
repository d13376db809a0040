"""Liaison pages, phone-first: a representative logs a visit in a few taps after signing in."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core import todo
from apps.core.access_log import record_access
from apps.core.exports import XLSX_CONTENT_TYPE
from apps.core.roles import Role
from apps.core.views import (
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ServiceFormView,
    ServiceStepMixin,
    WriteRoleRequiredMixin,
)
from apps.liaison import forms, services
from apps.liaison.filters import CaseFilterSet, ContactFilterSet, RepresentativeFilterSet
from apps.liaison.models import Case, Contact, Representative, RosterImport, Visit
from apps.organizations.models import OrgUnit, Period

STAFF = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


class HomeView(LoginRequiredMixin, View):
    """The representative's page: the visit button, her to-do list (households due a visit,
    reports due, cases past their deadline …, from apps.core.todo), what is open."""

    def get(self, request):
        representative = services.representative_of(request.user)
        if representative is None:
            if request.user.has_role(*STAFF):
                return redirect("liaison:case-list")
            return redirect("liaison:coverage")
        contacts = representative.contacts.all()
        period = Period.objects.current_year()
        figures = None
        if period:
            mine = Representative.objects.filter(pk=representative.pk)
            figures = services.coverage(
                mine,
                contacts,
                representative.visits.all(),
                representative.cases.all(),
                start=period.start_date,
                end=period.end_date,
                group="representative",
            ).get(representative.pk)
        return render(
            request,
            "liaison/home.html",
            {
                "representative": representative,
                **todo.home_context(request.user),
                "open_cases": representative.cases.open().select_related("contact")[:20],
                "recent_visits": representative.visits.prefetch_related("contacts")[:5],
                "figures": figures,
                "period": period,
            },
        )


class VisitCreateView(ServiceFormView):
    template_name = "liaison/visit_form.html"
    write_roles = (Role.VILLAGE_REP,)
    form_class = forms.VisitForm
    service = services.log_visit
    success_url = reverse_lazy("liaison:home")

    def get_form_kwargs(self):
        representative = services.representative_of(self.request.user)
        if representative is None:
            raise PermissionDenied
        return {"representative": representative}

    def get_service_data(self, form):
        return form.service_fields()

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # static/js/offline.js posts the form itself and asks for JSON: a visit stored answers
        # with where to go, so the phone can tell it from a sign-in page (signed out meanwhile),
        # which keeps the visit on the phone instead.
        if response.status_code == 302 and "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"url": response.url})
        return response

    def get_success_message(self, result, form):
        if form.needs():
            return _("Visit logged; a case was opened for the need.")
        return _("Visit logged.")


class ContactListView(ScopedListView):
    """Households, with phone numbers and addresses masked."""

    model = Contact
    template_name = "liaison/contact_list.html"
    filterset_class = ContactFilterSet

    def get_base_queryset(self):
        return Contact.objects.with_details().order_by("unit__path", "name")


class ContactDetailView(ScopedDetailView):
    """A household's full details; every opening is written to the access log."""

    model = Contact
    template_name = "liaison/contact_detail.html"

    def get_base_queryset(self):
        return Contact.objects.with_details()

    def get_object(self, queryset=None):
        contact = super().get_object(queryset)
        record_access(self.request.user, contact, self.request)
        return contact

    def get_context_data(self, **kwargs):
        contact = self.object
        return super().get_context_data(
            visits=Visit.objects.for_user(self.request.user)
            .filter(contacts=contact)
            .select_related("representative")[:20],
            cases=Case.objects.for_user(self.request.user).filter(contact=contact),
            **kwargs,
        )


class ContactCreateView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    write_roles = (*STAFF, Role.VILLAGE_REP)
    template_name = "liaison/contact_form.html"

    def get(self, request):
        form = forms.ContactForm(user=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = forms.ContactForm(request.POST, user=request.user)
        if form.is_valid():
            contact = form.save(commit=False)
            contact.unit = contact.representative.unit
            contact.save()
            messages.success(request, _("Household added."))
            return redirect(contact)
        return render(request, self.template_name, {"form": form})


class ContactUpdateView(ScopedUpdateView):
    """Change a household's details or risk colour (which changes how often she is visited)."""

    model = Contact
    fields = ["name", "phone", "address", "tags", "risk"]
    template_name = "liaison/contact_form.html"
    write_roles = (*STAFF, Role.VILLAGE_REP)

    def get_success_url(self):
        messages.success(self.request, _("Household saved."))
        return self.object.get_absolute_url()


class CaseListView(ScopedListView):
    model = Case
    template_name = "liaison/case_list.html"
    filterset_class = CaseFilterSet

    def get_base_queryset(self):
        return Case.objects.with_details().order_by("-opened_at", "-pk")


class CaseDetailView(ServiceStepMixin, ScopedDetailView):
    """The case with its follow-ups; its form moves the case by the action posted."""

    model = Case
    write_roles = (*STAFF, Role.VILLAGE_REP)
    read_by_all = True
    template_name = "liaison/case_detail.html"
    form_class = forms.CaseActionForm
    actions = {
        "start": services.start_case,
        "escalate": services.escalate_case,
        "resolve": services.resolve_case,
        "close": services.close_case,
        "follow-up": services.add_follow_up,
    }
    success_message = gettext_lazy("Case updated.")

    def get_base_queryset(self):
        return Case.objects.with_details().with_follow_ups()

    def get_object(self, queryset=None):
        case = super().get_object(queryset)
        if case.is_sensitive:
            record_access(self.request.user, case, self.request)
        return case

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            helpers=services.suggest_helpers(self.object),
            can_handle=services.can_handle(self.request.user, self.object),
            **kwargs,
        )

    def get_service(self):
        return self.actions.get(self.request.POST.get("action"))

    def get_service_data(self, form):
        data = form.cleaned_data
        if self.request.POST.get("action") == "close":
            return {"note": data["note"], "satisfaction": data["satisfaction"]}
        return {"note": data["note"]}


class RepresentativeListView(ScopedListView):
    model = Representative
    template_name = "liaison/representative_list.html"
    filterset_class = RepresentativeFilterSet
    export_name = "representatives"
    export_columns = (
        (gettext_lazy("representative number"), "number"),
        (gettext_lazy("full name"), "full_name"),
        (gettext_lazy("village"), lambda rep: rep.unit.name),
        (gettext_lazy("sector"), lambda rep: rep.get_sector_display()),
        (gettext_lazy("specialties"), lambda rep: rep.get_specialties_display()),
        (gettext_lazy("households"), "household_count"),
    )

    def get_base_queryset(self):
        return (
            Representative.objects.with_details()
            .annotate(household_count=Count("contacts"))
            .order_by("unit__path", "full_name")
        )


class RepresentativeUpdateView(ScopedUpdateView):
    model = Representative
    form_class = forms.RepresentativeForm
    template_name = "liaison/representative_form.html"
    write_roles = STAFF

    def get_success_url(self):
        messages.success(self.request, _("Representative saved."))
        return reverse("liaison:representative-list")


class RepresentativeCreateView(ServiceFormView):
    write_roles = STAFF
    template_name = "liaison/representative_form.html"
    form_class = forms.NewRepresentativeForm
    service = services.add_representative
    success_message = gettext_lazy("Representative saved.")
    success_url = reverse_lazy("liaison:representative-list")

    def get_form_kwargs(self):
        return {"user": self.request.user}


class RosterImportView(ServiceFormView):
    """Upload a roster for the user's own unit; the import runs in the background."""

    write_roles = STAFF
    template_name = "liaison/roster_import.html"
    form_class = forms.RosterUploadForm
    service = services.start_import

    def get_step_object(self):
        return self.request.user.primary_membership.unit

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            response = HttpResponse(services.template_workbook(), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        imports = RosterImport.objects.for_user(self.request.user).select_related("created_by")
        return super().get_context_data(imports=imports[:10], **kwargs)

    def get_service_data(self, form):
        return {"upload": form.cleaned_data["file"]}

    def get_success_url(self, result):
        return result.get_absolute_url()


class RosterImportDetailView(ScopedDetailView):
    """Progress of an import; ?format=json feeds the progress bar while the task runs."""

    model = RosterImport
    template_name = "liaison/roster_import_detail.html"

    def get_object(self, queryset=None):
        # An import whose run died past the task time limit ends as failed, not spinning.
        return services.fail_if_abandoned(super().get_object(queryset))

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("format") == "json":
            roster = self.object
            return JsonResponse(
                {
                    "status": roster.status,
                    "status_display": roster.get_status_display(),
                    "percent": roster.percent,
                    "processed_rows": roster.processed_rows,
                    "total_rows": roster.total_rows,
                    "finished": roster.status
                    in {RosterImport.Status.DONE, RosterImport.Status.FAILED},
                }
            )
        return super().render_to_response(context, **kwargs)


class CoverageView(LoginRequiredMixin, View):
    """广度 for townships, villages or representatives in the user's area, for a period."""

    def get(self, request):
        form = forms.CoverageForm(request.GET or None)
        period, level = Period.objects.current_year(), "township"
        if form.is_valid():
            period = form.cleaned_data["period"] or period
            level = form.cleaned_data["level"] or level
        rows = []
        if period:
            user = request.user
            # Counts over the whole area, including records the user may not open.
            figures = services.coverage(
                Representative.objects.in_area(user),
                Contact.objects.in_area(user),
                Visit.objects.in_area(user),
                Case.objects.in_area(user),
                start=period.start_date,
                end=period.end_date,
                group=level,
            )
            rows = _named_rows(level, figures)
        return render(
            request, "liaison/coverage.html", {"form": form, "rows": rows, "period": period}
        )


def _named_rows(level, figures):
    model = Representative if level == "representative" else OrgUnit
    names = model.objects.in_bulk(list(figures))
    return sorted(
        ({"name": str(names[key]), **values} for key, values in figures.items() if key in names),
        key=lambda row: (-row["coverage"], row["name"]),
    )
