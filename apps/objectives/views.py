"""Objective management pages. Each page reads through for_user and changes through services."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from apps.core.api.downloads import StoredFileDownloadView
from apps.core.permissions import can_write
from apps.core.roles import Role
from apps.core.views import (
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    ServiceStepMixin,
    WriteRoleRequiredMixin,
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
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}
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


class PlanCreateView(ServiceFormView):
    write_roles = (Role.COUNTY_ADMIN,)
    template_name = "objectives/plan_form.html"
    form_class = forms.ObjectivePlanForm
    service = services.create_plan

    def get_service_data(self, form):
        return {**form.cleaned_data, "unit": self.request.user.primary_membership.unit}


class PlanDetailView(ScopedDetailView):
    """The plan's tree as the user may see it, with roll-up, points and lights."""

    model = ObjectivePlan
    template_name = "objectives/plan_detail.html"

    def get_base_queryset(self):
        return ObjectivePlan.objects.select_related("period", "unit")

    def get_context_data(self, **kwargs):
        plan, user = self.object, self.request.user
        visible = _objectives(user).filter(plan=plan)
        filterset = ObjectiveFilterSet(self.request.GET, queryset=visible, request=self.request)
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
            **kwargs,
        )


def told(done, nobody):
    """The success message of a step that notifies people: it claims they were told only when
    the step says someone was (a unit nobody works in yet gets no message)."""
    return lambda notified: done if notified else nobody


class PlanActionView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    """Publish or close a plan: POST only, then back to the plan with what happened."""

    write_roles = (Role.COUNTY_ADMIN,)
    # Lazy: these are read in whichever language each request is in.
    actions = {
        "publish": (
            services.publish_plan,
            told(
                gettext_lazy("The plan is published and assignees are notified."),
                gettext_lazy(
                    "The plan is published. Nobody was notified: no one works in the "
                    "assigned units yet."
                ),
            ),
        ),
        "close": (
            services.close_plan,
            gettext_lazy(
                "The period is closed: its plans are closed, scores frozen and ranked, rewards "
                "proposed and everyone scored told."
            ),
        ),
        "score": (
            None,
            told(
                gettext_lazy("Scores recalculated."),
                gettext_lazy("Nothing recalculated: the period is closed and its scores frozen."),
            ),
        ),
    }

    def post(self, request, pk, action):
        plan = get_object_or_404(_plans(request.user), pk=pk)
        step, success = self.actions[action]
        if step is None:
            run_step(request, lambda: services.score_plan(plan), success)
        else:
            run_step(request, lambda: step(request.user, plan), success)
        return redirect(plan)


class ObjectiveCreateView(ServiceFormView):
    """Write a top-level objective, or (with ?parent=) split an objective into a part."""

    write_roles = STAFF
    template_name = "objectives/objective_form.html"
    form_class = forms.ObjectiveForm
    service = services.add_objective
    success_message = gettext_lazy("Objective saved.")

    def get_step_object(self):
        plan = get_object_or_404(_plans(self.request.user), pk=self.kwargs["plan_pk"])
        parent_pk = self.request.GET.get("parent") or self.request.POST.get("parent")
        self.parent = (
            get_object_or_404(_objectives(self.request.user), pk=parent_pk, plan=plan)
            if parent_pk
            else None
        )
        return plan

    def get_form_kwargs(self):
        return {"user": self.request.user, "plan": self.object, "parent": self.parent}

    def get_service_data(self, form):
        return {"parent": self.parent, **form.service_fields()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.object, parent=self.parent, **kwargs)

    def get_success_url(self, result):
        return (self.parent or result).get_absolute_url()


class ObjectiveDetailView(ServiceStepMixin, ScopedDetailView):
    """The objective, its parts and reports; whoever reports on it files her report here."""

    model = Objective
    write_roles = WORKERS
    read_by_all = True
    template_name = "objectives/objective_detail.html"
    form_context_name = "report_form"
    service = services.submit_report
    success_message = gettext_lazy("Progress report submitted for review.")

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
            # A village opens its own part; the county's objective above it is out of its reach.
            parent_visible=bool(objective.parent_id)
            and _objectives(user).filter(pk=objective.parent_id).exists(),
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

    def get_step_object(self):
        objective = self.get_object()
        # Only whoever is offered the form may post it; anyone else in scope is refused.
        if not self.may_report(self.request.user, objective, not objective.children.exists()):
            raise PermissionDenied
        return objective

    def get_form(self, data=None, files=None):
        return forms.ProgressReportForm(
            data, files, objective=self.object, cycles=self.open_cycles(self.object)
        )

    def get_service_data(self, form):
        data = form.cleaned_data
        return {
            "cycle_end": date.fromisoformat(data["cycle_end"]),
            "narrative": data["narrative"],
            "value": data.get("value"),
            "rubric_level": data.get("rubric_level", ""),
            "files": data["files"],
        }


class ObjectivePublishView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    write_roles = STAFF

    def post(self, request, pk):
        objective = get_object_or_404(_objectives(request.user), pk=pk)
        run_step(
            request,
            lambda: services.publish_decomposition(request.user, objective),
            told(
                _("The parts are published and their assignees notified."),
                _(
                    "The parts are published. Nobody was notified: no one works in the "
                    "assigned units yet."
                ),
            ),
        )
        return redirect(objective)


class ObjectiveReviseView(ServiceFormView):
    write_roles = STAFF
    template_name = "objectives/objective_revise.html"
    form_class = forms.RevisionForm
    service = services.revise_objective
    success_message = gettext_lazy("The revision is recorded.")

    def get_step_object(self):
        return get_object_or_404(_objectives(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"initial": {"weight": self.object.weight, "target": self.object.target}}

    def get_context_data(self, **kwargs):
        return super().get_context_data(objective=self.object, **kwargs)


class ReportListView(ScopedListView):
    """Reports in scope; staff open on those waiting for their review (``awaiting=me``),
    oldest first, with the target, the last approved value and the evidence beside each."""

    model = ProgressReport
    template_name = "objectives/report_list.html"
    filterset_class = ProgressReportFilterSet

    def get_base_queryset(self):
        previous = ProgressReport.objects.filter(
            objective=OuterRef("objective"),
            status=ProgressReport.Status.APPROVED,
            cycle_end__lt=OuterRef("cycle_end"),
        ).order_by("-cycle_end")
        return (
            ProgressReport.objects.with_details()
            .annotate(
                previous_value=Subquery(previous.values("value")[:1]),
                previous_level=Subquery(previous.values("rubric_level")[:1]),
                previous_cycle=Subquery(previous.values("cycle_end")[:1]),
            )
            .prefetch_related("evidence")
            .order_by("-submitted_at")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = queue_data(self.request.GET, self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_review=self.request.user.has_role(*STAFF),
            here=self.request.get_full_path(),
            **kwargs,
        )


def queue_data(query, user):
    """The report list's filter values: staff who chose no queue get "awaiting my review"."""
    data = query.copy()
    if "awaiting" not in data and user.has_role(*STAFF):
        data["awaiting"] = "me"
    return data


def safe_next(request):
    """The list (with its filters) a report page was opened from, if it is one of ours."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def next_in_queue(request, report, back):
    """下一条: the pending report after ``report`` in the queue the reviewer came from (the
    same filters), wrapping round to the first; None when nothing else waits."""
    query = QueryDict(urlsplit(back).query) if back else QueryDict()
    reports = ProgressReport.objects.for_user(request.user)
    filterset = ProgressReportFilterSet(
        queue_data(query, request.user), queryset=reports, request=request
    )
    pending = (
        (filterset.qs if filterset.is_valid() else reports)
        .filter(status=ProgressReport.Status.SUBMITTED)
        .exclude(pk=report.pk)
        .order_by("submitted_at", "pk")
    )
    after = pending.filter(
        Q(submitted_at__gt=report.submitted_at)
        | Q(submitted_at=report.submitted_at, pk__gt=report.pk)
    )
    return after.first() or pending.first()


class ReportBatchApproveView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    """Approve the reports ticked in the list, each through approve_report on its own: what
    was approved and why any was not are both reported, row by row."""

    write_roles = STAFF

    def post(self, request):
        ids = [value for value in request.POST.getlist("reports") if value.isdigit()]
        reports = ProgressReport.objects.for_user(request.user).filter(pk__in=ids)
        approved = 0
        for report in reports.with_details().order_by("submitted_at", "pk"):
            try:
                services.approve_report(request.user, report)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", None) or [str(error)])
                messages.error(
                    request,
                    _("Not approved: %(report)s (%(unit)s): %(reason)s")
                    % {
                        "report": report,
                        "unit": report.objective.assignee_unit.name,
                        "reason": reason,
                    },
                )
            else:
                approved += 1
        missing = len(set(ids)) - reports.count() if ids else 0
        if approved:
            messages.success(
                request,
                ngettext("%(count)s report approved.", "%(count)s reports approved.", approved)
                % {"count": approved},
            )
        if missing:
            messages.error(
                request, _("%(count)s selected reports were not found.") % {"count": missing}
            )
        if not ids:
            messages.error(request, _("Tick the reports to approve first."))
        return redirect(safe_next(request) or reverse("objectives:report-list"))


class ReportDetailView(ServiceStepMixin, ScopedDetailView):
    """A report with its evidence; a reviewer approves or returns it here."""

    model = ProgressReport
    write_roles = STAFF
    read_by_all = True
    template_name = "objectives/report_detail.html"
    form_class = forms.ReviewForm
    form_context_name = "review_form"
    decisions = {
        "approve": (services.approve_report, gettext_lazy("Report approved.")),
        "return": (services.return_report, gettext_lazy("Report returned.")),
    }

    def get_base_queryset(self):
        return ProgressReport.objects.with_details().prefetch_related("evidence")

    def get_context_data(self, **kwargs):
        report, user = self.object, self.request.user
        can_review = (
            report.status == ProgressReport.Status.SUBMITTED
            and report.submitted_by_id != user.pk
            and services.can_review(user, report.objective)
        )
        back = safe_next(self.request)
        # 下一条 is for reviewers moving through their queue.
        following = next_in_queue(self.request, report, back) if user.has_role(*STAFF) else None
        return super().get_context_data(
            can_review=can_review,
            back=back or reverse("objectives:report-list"),
            next_report=following,
            **kwargs,
        )

    def get_service(self):
        step, _message = self.decisions.get(self.request.POST.get("decision"), (None, ""))
        return step

    def get_success_message(self, result, form):
        return self.decisions[self.request.POST["decision"]][1]

    def get_success_url(self, result):
        return safe_next(self.request) or reverse("objectives:report-list")


class EvidenceDownloadView(StoredFileDownloadView):
    """Evidence leaves the private store only for people who may see the record it backs.
    An API view, so the same link works with a browser session and with an API token."""

    model = Evidence

    def shows_inline(self, request, stored):
        # ``?inline=1`` shows an image in the page (a thumbnail in the review queue); every
        # other file is always a download.
        return request.GET.get("inline") == "1" and stored.content_type in INLINE_TYPES


class ScoreListView(ScopedListView):
    """Rankings of a plan, level by level."""

    model = UnitScore
    template_name = "objectives/score_list.html"
    filterset_class = UnitScoreFilterSet
    paginate_by = 100
    export_name = "scores"
    export_columns = (
        (gettext_lazy("level"), lambda score: score.get_level_display()),
        (gettext_lazy("rank"), "rank"),
        (gettext_lazy("unit"), lambda score: score.unit.name),
        (gettext_lazy("person"), lambda score: score.person or ""),
        (gettext_lazy("score"), lambda score: float(score.score)),
        (gettext_lazy("grade"), lambda score: score.get_grade_display()),
        (gettext_lazy("objective points"), lambda score: float(score.objective_score)),
        (gettext_lazy("innovation points"), lambda score: float(score.innovation_points)),
        (gettext_lazy("late-report deductions"), lambda score: float(score.deduction_score)),
    )

    def get_base_queryset(self):
        return UnitScore.objects.with_details().order_by("level", "rank", "pk")

    def get_filterset_kwargs(self, filterset_class):
        """Without a chosen plan the rankings open on the latest plan she has scores of: two
        years' first places side by side would tell nobody anything. "All" (an empty ``plan``)
        still lists every plan."""
        kwargs = super().get_filterset_kwargs(filterset_class)
        if "plan" not in self.request.GET:
            latest = (
                UnitScore.objects.for_user(self.request.user)
                .order_by("-plan__period__start_date", "plan__unit__path", "plan")
                .values_list("plan", flat=True)
                .first()
            )
            if latest is not None:
                kwargs["data"] = self.request.GET.copy()
                kwargs["data"]["plan"] = latest
        return kwargs


class ScoreDetailView(ScopedDetailView):
    model = UnitScore
    template_name = "objectives/score_detail.html"

    def get_base_queryset(self):
        return UnitScore.objects.with_details()

    def get_context_data(self, **kwargs):
        return super().get_context_data(breakdown=breakdown(self.object), **kwargs)


class InnovationListView(ServiceFormView):
    """A plan's innovation items; the people who work claim theirs here."""

    template_name = "objectives/innovation_list.html"
    write_roles = WORKERS
    read_by_all = True
    form_class = forms.InnovationClaimForm
    service = services.claim_innovation
    success_message = gettext_lazy("Innovation item claimed; the county will review it.")

    def get_step_object(self):
        return get_object_or_404(_plans(self.request.user), pk=self.kwargs["plan_pk"])

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        plan, user = self.object, self.request.user
        items = (
            InnovationItem.objects.for_user(user)
            .filter(plan=plan)
            .select_related("unit", "person", "claimed_by")
            .prefetch_related("evidence")
        )
        return super().get_context_data(
            plan=plan,
            items=items,
            award_form=forms.AwardForm(),
            can_review=user.has_role(Role.COUNTY_ADMIN),
            can_claim=can_write(user, self.write_roles)
            and plan.status == ObjectivePlan.Status.PUBLISHED,
            **kwargs,
        )

    def get_success_url(self, result):
        return reverse("objectives:innovation-list", args=[self.object.pk])


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
        return redirect(item)


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
    """A reward's steps behind POST buttons; "return" sends it back with the posted reason.
    Each step says whom it told only when somebody was told."""

    write_roles = (Role.COUNTY_ADMIN, Role.LEADER)
    steps = {
        "confirm": (
            services.confirm_reward,
            told(
                gettext_lazy("Reward confirmed; the leaders are asked to approve it."),
                gettext_lazy("Reward confirmed. No leader was notified: none is assigned yet."),
            ),
        ),
        "approve": (
            services.approve_reward,
            told(
                gettext_lazy("Reward approved; the county staff are asked to publish it."),
                gettext_lazy("Reward approved. Nobody was notified to publish it."),
            ),
        ),
        "publish": (
            services.publish_reward,
            told(
                gettext_lazy("Reward published; the rewarded are notified."),
                gettext_lazy("Reward published. Nobody was notified: no one works there yet."),
            ),
        ),
        "return": (
            services.return_reward,
            told(
                gettext_lazy("Reward sent back; the county staff are notified."),
                gettext_lazy("Reward sent back."),
            ),
        ),
    }

    def post(self, request, pk, action):
        reward = get_object_or_404(Reward.objects.for_user(request.user), pk=pk)
        step, message = self.steps[action]
        args = (request.POST.get("reason", ""),) if action == "return" else ()
        run_step(request, lambda: step(request.user, reward, *args), message)
        return redirect(reverse("objectives:reward-list"))


class ObjectiveDecomposeView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    """分解目标 in one table: every unit below (and every person in) the objective's unit, with
    a share of its weight and target; one save writes every part or none."""

    write_roles = STAFF
    template_name = "objectives/objective_decompose.html"

    def get(self, request, pk):
        objective = get_object_or_404(_objectives(request.user), pk=pk)
        table = DecomposeTable(request.user, objective)
        return self.render(request, table, table.formset(table.initial()))

    def post(self, request, pk):
        objective = get_object_or_404(_objectives(request.user), pk=pk)
        table = DecomposeTable(request.user, objective)
        formset = table.formset(data=request.POST)
        upload = forms.FiguresUploadForm(request.POST, request.FILES)
        action = request.POST.get("action", "save")
        if not formset.is_valid():
            return self.render(request, table, formset, upload=upload)
        rows = [form.cleaned_data for form in formset]
        if action == "equal":
            return self.render(request, table, table.formset(table.shared(rows, by_basis=False)))
        if action == "share":
            return self.render(request, table, table.formset(table.shared(rows, by_basis=True)))
        if action == "import":
            problems = []
            if upload.is_valid():
                try:
                    rows, problems = table.with_figures(rows, upload.cleaned_data["figures"])
                except ValidationError as error:
                    problems = error.messages
                else:
                    rows = table.shared(rows, by_basis=True)
            return self.render(
                request, table, table.formset(rows), upload=upload, import_problems=problems
            )
        try:
            services.decompose_objective(request.user, objective, [form.part() for form in formset])
        except services.DecompositionError as error:
            for form, errors in zip(formset, error.rows, strict=True):
                for field, messages_ in errors.items():
                    form.add_error(field if field in form.fields else None, messages_)
            return self.render(request, table, formset, problems=error.general)
        except ValidationError as error:  # the objective as a whole, e.g. its plan is closed
            return self.render(request, table, formset, problems=error.messages)
        messages.success(request, _("The parts are saved."))
        return redirect(objective)

    def render(self, request, table, formset, upload=None, **context):
        return render(
            request,
            self.template_name,
            {
                "objective": table.objective,
                "rows": table.rows(formset),
                "formset": formset,
                "published": table.published,
                "totals": table.totals(),
                "upload_form": upload or forms.FiguresUploadForm(),
                **context,
            },
        )


class DecomposeTable:
    """The rows of the decomposition page: who may receive a part, the parts already written
    (published ones shown as they are; they change only through a revision), and the shares
    to pre-fill."""

    def __init__(self, user, objective):
        self.user, self.objective = user, objective
        children = objective.children.select_related("assignee_unit", "assignee_person").order_by(
            "assignee_unit__path", "pk"
        )
        existing = {(c.assignee_unit_id, c.assignee_person_id): c for c in children}
        self.published = [c for c in existing.values() if c.is_published]
        candidates = services.planning.assignable(user, objective)
        keys = {(unit.pk, person.pk if person else None) for unit, person in candidates}
        self.entries = [
            (unit, person, existing.get((unit.pk, person.pk if person else None)))
            for unit, person in candidates
        ] + [
            (child.assignee_unit, child.assignee_person, child)
            for key, child in existing.items()
            if key not in keys
        ]
        self.entries = [entry for entry in self.entries if not (entry[2] and entry[2].is_published)]
        self.units = {unit.pk: unit for unit, _person, _child in self.entries}
        self.people = {person.pk: person for _unit, person, _child in self.entries if person}

    def formset(self, initial=None, data=None):
        return forms.DecomposeFormSet(
            data, initial=initial, prefix="parts", form_kwargs={"user": self.user}
        )

    def initial(self):
        """Existing parts as they are; with none yet, an equal share to every unit."""
        rows = [
            {
                "assignee_unit": unit.pk,
                "assignee_person": person.pk if person else None,
                "weight": child.weight if child else Decimal(0),
                "target": child.target if child else None,
                "due_date": child.due_date if child else self.objective.due_date,
            }
            for unit, person, child in self.entries
        ]
        if any(child for _unit, _person, child in self.entries) or self.published:
            return rows
        return self.shared(rows, by_basis=False)

    def shared(self, rows, by_basis):
        """``rows`` with weight and target shared out of what the published parts leave, in
        proportion to each row's basis, or equally among the units (persons get 0)."""
        objective = self.objective
        weight_left = objective.weight - sum(p.weight for p in self.published)
        target_left = (objective.target or 0) - sum(p.target or 0 for p in self.published)
        rows = [self._plain(row) for row in rows]
        if not rows:
            return rows
        bases = [row.get("basis") or Decimal(0) for row in rows] if by_basis else []
        if not any(bases):
            units_only = [Decimal(0 if row["assignee_person"] else 1) for row in rows]
            bases = units_only if any(units_only) else [Decimal(1)] * len(rows)
        weights = services.share_out(weight_left, bases)
        additive = objective.target and objective.additive and not objective.is_milestone
        if additive:
            whole = objective.target == objective.target.to_integral_value()
            targets = services.share_out(target_left, bases, Decimal(1 if whole else "0.01"))
        for index, row in enumerate(rows):
            row["weight"] = weights[index]
            if additive:
                row["target"] = targets[index] if row["weight"] else None
            elif not objective.is_milestone:
                row["target"] = objective.target if row["weight"] else None
        return rows

    def with_figures(self, rows, upload):
        """``rows`` with the basis read from an uploaded file of unit codes and figures."""
        rows = [self._plain(row) for row in rows]
        codes = {
            row["assignee_unit"]: self.units[row["assignee_unit"]].code
            for row in rows
            if not row["assignee_person"] and row["assignee_unit"] in self.units
        }
        figures, problems = services.planning.read_figures(upload, set(codes.values()))
        for row in rows:
            if row["assignee_unit"] in codes and not row["assignee_person"]:
                row["basis"] = figures.get(codes[row["assignee_unit"]])
        return rows, problems

    @staticmethod
    def _id(value):
        return getattr(value, "pk", value)

    def _plain(self, row):
        row = dict(row)
        row["assignee_unit"] = self._id(row["assignee_unit"])
        row["assignee_person"] = self._id(row.get("assignee_person"))
        return row

    def rows(self, formset):
        """(form, unit, person) for each row of the table, from the ids the form carries."""
        result = []
        for form in formset:
            unit_id = form["assignee_unit"].value()
            person_id = form["assignee_person"].value()
            unit = self.units.get(int(unit_id)) if str(unit_id).isdigit() else None
            person = self.people.get(int(person_id)) if str(person_id).isdigit() else None
            result.append((form, unit, person))
        return result

    def totals(self):
        return {
            "weight": sum((p.weight for p in self.published), Decimal(0)),
            "target": sum((p.target or 0 for p in self.published), Decimal(0)),
        }
