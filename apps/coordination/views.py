"""Coordination pages: the directory, referring a case, and the department's referral desk."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.coordination import forms, services
from apps.coordination.filters import JointMeetingFilterSet, ReferralFilterSet, ServiceFilterSet
from apps.coordination.models import (
    JointMeeting,
    LiaisonOfficer,
    MeetingConvener,
    MeetingDecision,
    MeetingFile,
    MemberDepartment,
    Referral,
    Service,
)
from apps.core.personal_data import phone_for
from apps.core.roles import Role
from apps.core.views import (
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    ServiceStepMixin,
    add_service_errors,
)
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


@extend_schema(exclude=True)
class MeetingFileDownloadView(APIView):
    """A minutes file leaves the private store only for those who may read its meeting (an API
    view like objectives' evidence, so the link works with a session and with a token)."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        attachment = get_object_or_404(MeetingFile.objects.for_user(request.user), pk=pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


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
