"""Objective management pages. Each page reads through for_user and changes through services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.views import APIView

from apps.core.roles import Role
from apps.core.views import (
    ScopedDetailView,
    ScopedListView,
    WriteRoleRequiredMixin,
    add_service_errors,
    run_step,
)
from apps.objectives import forms, services
from apps.objectives.filters import (
    ObjectiveFilterSet,
    ObjectivePlanFilterSet,
    ProgressReportFilterSet,
    RewardFilterSet,
    UnitScoreFilterSet,
)
from apps.objectives.models import (
    Evidence,
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
    UnitScore,
)
from apps.objectives.services.scoring import breakdown

STAFF = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
WORKERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP, Role.DEPT_LIAISON)


def _plans(user):
    return ObjectivePlan.objects.for_user(user).select_related("period", "unit")


def _objectives(user):
    return Objective.objects.for_user(user).with_details()


class PlanListView(ScopedListView):
    model = ObjectivePlan
    template_name = "objectives/plan_list.html"
    paginate_by = 20
    filterset_class = ObjectivePlanFilterSet

    def get_base_queryset(self):
        return (
            ObjectivePlan.objects.select_related("period", "unit")
            .annotate(objective_count=Count("objectives"))
            .order_by("-period__start_date", "unit__path")
        )

    def get_context_data(self, **kwargs):
        can_create = self.request.user.has_role(Role.COUNTY_ADMIN)
        return super().get_context_data(can_create_plan=can_create, **kwargs)


class PlanCreateView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    write_roles = (Role.COUNTY_ADMIN,)
    template_name = "objectives/plan_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": forms.ObjectivePlanForm()})

    def post(self, request):
        form = forms.ObjectivePlanForm(request.POST)
        if form.is_valid():
            unit = request.user.primary_membership.unit
            try:
                plan = services.create_plan(request.user, unit=unit, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("objectives:plan-detail", pk=plan.pk)
        return render(request, self.template_name, {"form": form})


class PlanDetailView(ScopedDetailView):
    """The plan's tree as the user may see it, with roll-up, points and lights."""

    model = ObjectivePlan
    template_name = "objectives/plan_detail.html"

    def get_base_queryset(self):
        return ObjectivePlan.objects.select_related("period", "unit")

    def get_context_data(self, **kwargs):
        plan, user = self.object, self.request.user
        visible = _objectives(user).filter(plan=plan)
        filterset = ObjectiveFilterSet(self.request.GET, queryset=visible)
        searching = any(self.request.GET.get(name) for name in filterset.form.fields)
        # Without a search, start at the top of what this user sees: the county's own
        # objectives for county staff, the township's for township staff, and so on.
        objectives = filterset.qs if searching else visible.exclude(parent__in=visible.values("pk"))
        page = Paginator(
            objectives.annotate(part_count=Count("children")).order_by(
                "category", "depth", "assignee_unit__path", "pk"
            ),
            50,
        ).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            rows=[(objective, services.light_of(objective)) for objective in page],
            filter=filterset,
            problems=services.rule_violations(plan.objectives.with_details())
            if plan.is_draft
            else [],
            is_county_admin=user.has_role(Role.COUNTY_ADMIN),
            **kwargs,
        )


class PlanActionView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    """Publish or close a plan: POST only, then back to the plan with what happened."""

    write_roles = (Role.COUNTY_ADMIN,)
    actions = {
        "publish": (services.publish_plan, _("The plan is published and assignees are notified.")),
        "close": (
            services.close_plan,
            _("The plan is closed, scores frozen and rewards proposed."),
        ),
        "score": (None, _("Scores recalculated.")),
    }

    def post(self, request, pk, action):
        plan = get_object_or_404(_plans(request.user), pk=pk)
        step, success = self.actions[action]
        if step is None:
            run_step(request, lambda: services.score_plan(plan), success)
        else:
            run_step(request, lambda: step(request.user, plan), success)
        return redirect("objectives:plan-detail", pk=plan.pk)


class ObjectiveCreateView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    """Write a top-level objective, or (with ?parent=) split an objective into a part."""

    write_roles = STAFF
    template_name = "objectives/objective_form.html"

    def setup_objects(self, request, plan_pk):
        plan = get_object_or_404(_plans(request.user), pk=plan_pk)
        parent_pk = request.GET.get("parent") or request.POST.get("parent")
        parent = (
            get_object_or_404(_objectives(request.user), pk=parent_pk, plan=plan)
            if parent_pk
            else None
        )
        return plan, parent

    def get(self, request, plan_pk):
        plan, parent = self.setup_objects(request, plan_pk)
        form = forms.ObjectiveForm(user=request.user, plan=plan, parent=parent)
        return render(request, self.template_name, {"form": form, "plan": plan, "parent": parent})

    def post(self, request, plan_pk):
        plan, parent = self.setup_objects(request, plan_pk)
        form = forms.ObjectiveForm(request.POST, user=request.user, plan=plan, parent=parent)
        if form.is_valid():
            try:
                objective = services.add_objective(
                    request.user, plan, parent=parent, **form.service_fields()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Objective saved."))
                target = parent or objective
                return redirect("objectives:objective-detail", pk=target.pk)
        return render(request, self.template_name, {"form": form, "plan": plan, "parent": parent})


class ObjectiveDetailView(ScopedDetailView):
    model = Objective
    template_name = "objectives/objective_detail.html"

    def get_base_queryset(self):
        return Objective.objects.with_details()

    def get_context_data(self, **kwargs):
        objective, user = self.object, self.request.user
        parts = (
            _objectives(user)
            .filter(parent=objective)
            .annotate(part_count=Count("children"))
            .order_by("assignee_unit__path", "pk")
        )
        reports = (
            ProgressReport.objects.for_user(user)
            .filter(objective=objective)
            .select_related("submitted_by", "reviewed_by")
            .prefetch_related("evidence")
        )
        is_leaf = not objective.children.exists()
        report_form = kwargs.pop("report_form", None)
        if self.may_report(user, objective, is_leaf):
            report_form = report_form or forms.ProgressReportForm(
                objective=objective, cycles=self.open_cycles(objective)
            )
        return super().get_context_data(
            parts=[(part, services.light_of(part)) for part in parts],
            reports=reports,
            light=services.light_of(objective),
            is_leaf=is_leaf,
            report_form=report_form,
            can_decompose=user.has_role(*STAFF) and not objective.plan.is_closed,
            revisions=objective.revisions.select_related("changed_by"),
            **kwargs,
        )

    @staticmethod
    def may_report(user, objective, is_leaf):
        """Whether this page offers ``user`` the report form: a published leaf she reports on."""
        return is_leaf and objective.is_published and services.can_report(user, objective)

    @staticmethod
    def open_cycles(objective):
        filed = set(
            objective.reports.exclude(status=ProgressReport.Status.RETURNED).values_list(
                "cycle_end", flat=True
            )
        )
        return [cycle for cycle in services.cycle_ends(objective) if cycle not in filed]

    def post(self, request, pk):
        """File a progress report from the objective's page."""
        self.object = self.get_object()
        objective = self.object
        # Only whoever is offered the form may post it; anyone else in scope is refused.
        if not self.may_report(request.user, objective, not objective.children.exists()):
            raise PermissionDenied
        form = forms.ProgressReportForm(
            request.POST, request.FILES, objective=objective, cycles=self.open_cycles(objective)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_report(
                    request.user,
                    objective,
                    cycle_end=date.fromisoformat(data["cycle_end"]),
                    narrative=data["narrative"],
                    value=data.get("value"),
                    rubric_level=data.get("rubric_level", ""),
                    files=data["files"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Progress report submitted for review."))
                return redirect("objectives:objective-detail", pk=objective.pk)
        return self.render_to_response(self.get_context_data(report_form=form))


class ObjectivePublishView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    write_roles = STAFF

    def post(self, request, pk):
        objective = get_object_or_404(_objectives(request.user), pk=pk)
        run_step(
            request,
            lambda: services.publish_decomposition(request.user, objective),
            _("The parts are published and their assignees notified."),
        )
        return redirect("objectives:objective-detail", pk=objective.pk)


class ObjectiveReviseView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    write_roles = STAFF
    template_name = "objectives/objective_revise.html"

    def get(self, request, pk):
        objective = get_object_or_404(_objectives(request.user), pk=pk)
        form = forms.RevisionForm(initial={"weight": objective.weight, "target": objective.target})
        return render(request, self.template_name, {"form": form, "objective": objective})

    def post(self, request, pk):
        objective = get_object_or_404(_objectives(request.user), pk=pk)
        form = forms.RevisionForm(request.POST)
        if form.is_valid():
            try:
                services.revise_objective(request.user, objective, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The revision is recorded."))
                return redirect("objectives:objective-detail", pk=objective.pk)
        return render(request, self.template_name, {"form": form, "objective": objective})


class ReportListView(ScopedListView):
    """Reports in scope; staff see by default those waiting for their review."""

    model = ProgressReport
    template_name = "objectives/report_list.html"
    filterset_class = ProgressReportFilterSet

    def get_base_queryset(self):
        return ProgressReport.objects.with_details().order_by("-submitted_at")


class ReportDetailView(ScopedDetailView):
    model = ProgressReport
    template_name = "objectives/report_detail.html"

    def get_base_queryset(self):
        return ProgressReport.objects.with_details().prefetch_related("evidence")

    def get_context_data(self, **kwargs):
        report, user = self.object, self.request.user
        can_review = (
            report.status == ProgressReport.Status.SUBMITTED
            and report.submitted_by_id != user.pk
            and services.can_review(user, report.objective)
        )
        return super().get_context_data(
            can_review=can_review,
            review_form=kwargs.pop("review_form", forms.ReviewForm()),
            **kwargs,
        )

    def post(self, request, pk):
        self.object = self.get_object()
        form = forms.ReviewForm(request.POST)
        decision = request.POST.get("decision")
        if form.is_valid() and decision in {"approve", "return"}:
            step = services.approve_report if decision == "approve" else services.return_report
            try:
                step(request.user, self.object, form.cleaned_data["comment"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Report approved.") if decision == "approve" else _("Report returned."),
                )
                return redirect("objectives:report-list")
        return self.render_to_response(self.get_context_data(review_form=form))


@extend_schema(exclude=True)
class EvidenceDownloadView(APIView):
    """Evidence leaves the private store only for people who may see the record it backs.
    An API view, so the same link works with a browser session and with an API token."""

    permission_classes = [permissions.IsAuthenticated]

    def get(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.for_user(request.user), pk=pk)
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )


class ScoreListView(ScopedListView):
    """Rankings of a plan, level by level."""

    model = UnitScore
    template_name = "objectives/score_list.html"
    filterset_class = UnitScoreFilterSet
    paginate_by = 100
    export_name = "scores"
    export_columns = (
        (_("level"), lambda score: score.get_level_display()),
        (_("rank"), "rank"),
        (_("unit"), lambda score: score.unit.name),
        (_("person"), lambda score: score.person or ""),
        (_("score"), lambda score: float(score.score)),
        (_("grade"), lambda score: score.get_grade_display()),
        (_("objective points"), lambda score: float(score.objective_score)),
        (_("innovation points"), lambda score: float(score.innovation_points)),
        (_("late-report deductions"), lambda score: float(score.deduction_score)),
    )

    def get_base_queryset(self):
        return UnitScore.objects.with_details().order_by("level", "rank", "pk")


class ScoreDetailView(ScopedDetailView):
    model = UnitScore
    template_name = "objectives/score_detail.html"

    def get_base_queryset(self):
        return UnitScore.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(breakdown=breakdown(self.object), **kwargs)


class InnovationListView(LoginRequiredMixin, View):
    template_name = "objectives/innovation_list.html"

    def context(self, request, plan, form=None):
        items = (
            InnovationItem.objects.for_user(request.user)
            .filter(plan=plan)
            .select_related("unit", "person", "claimed_by")
            .prefetch_related("evidence")
        )
        return {
            "plan": plan,
            "items": items,
            "form": form or forms.InnovationClaimForm(user=request.user),
            "award_form": forms.AwardForm(),
            "can_review": request.user.has_role(Role.COUNTY_ADMIN),
            "can_claim": request.user.has_role(*WORKERS)
            and plan.status == ObjectivePlan.Status.PUBLISHED,
        }

    def get(self, request, plan_pk):
        plan = get_object_or_404(_plans(request.user), pk=plan_pk)
        return render(request, self.template_name, self.context(request, plan))

    def post(self, request, plan_pk):
        plan = get_object_or_404(_plans(request.user), pk=plan_pk)
        form = forms.InnovationClaimForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.claim_innovation(request.user, plan, files=data.pop("files"), **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Innovation item claimed; the county will review it."))
                return redirect("objectives:innovation-list", plan_pk=plan.pk)
        return render(request, self.template_name, self.context(request, plan, form))


class InnovationReviewView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    write_roles = (Role.COUNTY_ADMIN,)

    def post(self, request, pk):
        item = get_object_or_404(InnovationItem.objects.for_user(request.user), pk=pk)
        form = forms.AwardForm(request.POST)

        def review():
            if request.POST.get("decision") == "reject":
                services.reject_innovation(
                    request.user, item, comment=request.POST.get("comment", "")
                )
            elif form.is_valid():
                services.award_innovation(request.user, item, **form.cleaned_data)
            else:
                raise ValidationError([m for errors in form.errors.values() for m in errors])

        run_step(request, review, _("Review saved."))
        return redirect("objectives:innovation-list", plan_pk=item.plan_id)


class RewardListView(ScopedListView):
    """Published rewards for everyone in the county; proposals and their steps for county
    staff and leaders."""

    model = Reward
    template_name = "objectives/reward_list.html"
    filterset_class = RewardFilterSet

    def get_base_queryset(self):
        return Reward.objects.select_related(
            "unit", "person", "plan__period", "innovation_item"
        ).order_by("plan", "kind", "pk")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_confirm=user.has_role(Role.COUNTY_ADMIN),
            can_approve=user.has_role(Role.LEADER),
            **kwargs,
        )


class RewardActionView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    write_roles = (Role.COUNTY_ADMIN, Role.LEADER)
    steps = {
        "confirm": services.confirm_reward,
        "approve": services.approve_reward,
        "publish": services.publish_reward,
    }

    def post(self, request, pk, action):
        reward = get_object_or_404(Reward.objects.for_user(request.user), pk=pk)
        run_step(request, lambda: self.steps[action](request.user, reward), _("Reward updated."))
        return redirect(reverse("objectives:reward-list"))
