"""Assessment pages: the schemes and their rounds (score, approve, publish), a unit's score
sheet with its evidence, vetoes, the ranking of a round and a result's breakdown, each figure
followed to the records it came from."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views import View
from django.views.generic import DetailView

from apps.assessment import exports, forms, services
from apps.assessment.models import (
    ROUND_ORDER,
    AssessmentLine,
    AssessmentResult,
    AssessmentScheme,
    Indicator,
    Level,
    ManualScore,
    ManualVeto,
    Round,
    ScoreEvidence,
)
from apps.core.api.downloads import StoredFileDownloadView
from apps.core.permissions import works_in
from apps.core.roles import Role
from apps.core.views import (
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
    ServiceFormView,
    WriteRoleRequiredMixin,
    add_service_errors,
    run_step,
)
from apps.organizations.models import OrgUnit

ASSESSORS = (Role.COUNTY_ADMIN,)
SCORERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)
APPROVERS = (*SCORERS, Role.LEADER)


class ResultListView(ScopedListView):
    model = AssessmentResult
    template_name = "assessment/result_list.html"
    filterset_fields = ["scheme", "round"]
    export_columns = exports.RESULT_COLUMNS
    export_name = "assessment-results"

    def export_xlsx(self, rows):
        return super().export_xlsx(rows.with_round_totals())

    def get_base_queryset(self):
        return AssessmentResult.objects.with_details().order_by(
            "-scheme__period__start_date", "scheme_id", "round", "rank", "-total", "pk"
        )


class ResultDetailView(ScopedDetailView):
    model = AssessmentResult
    template_name = "assessment/result_detail.html"

    def get_base_queryset(self):
        return AssessmentResult.objects.with_details().prefetch_related(
            Prefetch("lines", AssessmentLine.objects.select_related("indicator"))
        )

    def get_context_data(self, **kwargs):
        lines = list(self.object.lines.all())
        depth = {}
        for line in sorted(lines, key=lambda line: line.indicator.position):
            parent = line.indicator.parent_id
            line.depth = depth[line.indicator_id] = depth.get(parent, -1) + 1 if parent else 0
        return super().get_context_data(
            lines=sorted(lines, key=lambda line: line.indicator.position),
            rounds=services.round_figures([self.object])[self.object.pk],
            **kwargs,
        )


class SchemeListView(ScopedListView):
    model = AssessmentScheme
    template_name = "assessment/scheme_list.html"
    filterset_fields = ["period", "level"]

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit")

    def get_context_data(self, **kwargs):
        may_keep = self.request.user.has_role(*ASSESSORS)
        return super().get_context_data(may_keep=may_keep, **kwargs)


class SchemeDetailView(ScopedDetailView, DetailView):
    """The scheme's tree and, per round, where it stands and the step the reader may take:
    county staff score, approve and publish, a unit fills in and submits its 自评, the
    leadership gives the 审定."""

    model = AssessmentScheme
    template_name = "assessment/scheme_detail.html"

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit").prefetch_related(
            "parts", "indicators"
        )

    def get_context_data(self, **kwargs):
        scheme, user = self.object, self.request.user
        assessor = services.may_run(user, scheme)
        context = {
            "tree": services.scheme_tree(scheme),
            "rounds": services.round_states(scheme),
            "assessor": assessor,
            "sheets": self.sheets(scheme, assessor),
            "manual_vetoes": ManualVeto.objects.for_user(user)
            .filter(scheme=scheme)
            .select_related("unit", "person"),
            "has_hand_items": bool(services.scoring_items(scheme)),
            "has_survey_items": any(
                indicator.kind == Indicator.Kind.SURVEY for indicator in scheme.indicators.all()
            ),
        }
        own_sheet = bool(context["sheets"]) and not assessor
        for state in context["rounds"]:
            state["may_approve"] = services.may_approve_round(user, scheme, state["round"]) or (
                own_sheet and state["round"] == Round.SELF
            )
        context["editable"] = (
            assessor
            and not scheme.period.is_closed
            and not any(state["approved"] for state in context["rounds"])
        )
        if assessor and scheme.level != Level.PERSON:
            context["veto_form"] = forms.VetoForm(units=services.target_units(scheme))
        return super().get_context_data(**context, **kwargs)

    def sheets(self, scheme, assessor):
        """The units whose score sheet the reader opens: county staff every unit scored (for
        the round in progress), a unit's own people their own (for the 自评)."""
        if scheme.level == Level.PERSON:
            return []
        units = services.target_units(scheme)
        if not assessor:
            units = [unit for unit in units if works_in(self.request.user, unit)]
        return units


class ScoreSheetView(ScopedQuerysetMixin, ServiceFormView):
    """One unit's hand-scored items in one round (``?unit=&round=``), all saved at once with
    their evidence, then the round rescored. Values shown are those in force: this round's,
    else the earlier round's the assessor reviews."""

    template_name = "assessment/score_sheet.html"
    form_class = forms.ScoreSheetForm
    write_roles = SCORERS

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit").prefetch_related(
            "indicators"
        )

    def get_step_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @cached_property
    def sheet(self):
        """``(unit, round)`` of the sheet, from the query string or the form: read once."""
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        round_ = data.get("round") or services.current_round(self.object) or Round.SELF
        if round_ not in ROUND_ORDER:
            raise Http404
        unit = OrgUnit.objects.for_user(self.request.user).filter(pk=data.get("unit")).first()
        if unit is None:
            raise Http404
        return unit, round_

    def get_form_kwargs(self):
        return {"items": services.scoring_items(self.object)}

    def get_form(self, data=None, files=None):
        unit, round_ = self.sheet
        initial = {"unit": unit.pk, "round": round_}
        if data is None:
            initial |= services.sheet_values(self.object, unit, round_, self.request.user)
        return self.form_class(data, files, initial=initial, **self.get_form_kwargs())

    def run_service(self, service, form):
        unit, round_ = self.sheet
        return services.enter_scores(
            self.request.user, self.object, unit=unit, round=round_, entries=form.entries()
        )

    service = services.enter_scores
    success_message = gettext_lazy("The scores are saved and the round is rescored.")

    def get_success_url(self, result):
        unit, round_ = self.sheet
        return f"{self.request.path}?unit={unit.pk}&round={round_}"

    def get_context_data(self, **kwargs):
        unit, round_ = self.sheet
        files = ScoreEvidence.objects.filter(
            score__in=ManualScore.objects.for_user(self.request.user).filter(
                indicator__scheme=self.object, unit=unit, person=None
            )
        ).select_related("score")
        by_item = {}
        for stored in files:
            by_item.setdefault(stored.score.indicator_id, []).append(stored)
        context = super().get_context_data(
            scheme=self.object,
            unit=unit,
            round=Round(round_),
            result=AssessmentResult.objects.filter(
                scheme=self.object, unit=unit, person=None, round=round_
            ).first(),
            **kwargs,
        )
        for item in context["form"].items:
            item.stored_files = by_item.get(item.pk, [])
        return context


class RoundStepView(ScopedQuerysetMixin, WriteRoleRequiredMixin, View):
    """The buttons on a scheme's rounds: score now, approve (for each result the user may
    approve), publish."""

    write_roles = APPROVERS

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit")

    STEPS = {
        "score": (services.run_scoring, gettext_lazy("The round is scored.")),
        "approve": (
            services.approve_round,
            lambda count: (
                ngettext("%(count)d result approved.", "%(count)d results approved.", count)
                % {"count": count}
            ),
        ),
        "publish": (services.publish_round, gettext_lazy("The ranking is published.")),
    }

    def post(self, request, pk):
        scheme = get_object_or_404(self.get_queryset(), pk=pk)
        form = forms.RoundStepForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose a round and a step."))
            return redirect(scheme)
        service, message = self.STEPS[form.cleaned_data["step"]]
        run_step(
            request, lambda: service(request.user, scheme, form.cleaned_data["round"]), message
        )
        return redirect(scheme)


class VetoCreateView(ScopedQuerysetMixin, ServiceFormView):
    template_name = "assessment/veto_form.html"
    form_class = forms.VetoForm
    form_context_name = "veto_form"
    write_roles = ASSESSORS
    service = services.add_veto

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit")

    success_message = gettext_lazy("The veto is recorded; the results are rescored.")

    def get_step_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"units": services.target_units(self.object)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(scheme=self.object, **kwargs)

    def get_success_url(self, result):
        return self.object.get_absolute_url()


class VetoRemoveView(ScopedQuerysetMixin, WriteRoleRequiredMixin, View):
    write_roles = ASSESSORS

    def get_base_queryset(self):
        return ManualVeto.objects.select_related("scheme", "scheme__period", "scheme__unit")

    def post(self, request, pk):
        veto = get_object_or_404(self.get_queryset(), pk=pk)
        run_step(
            request,
            lambda: services.remove_veto(request.user, veto),
            gettext_lazy("The veto is withdrawn; the results are rescored."),
        )
        return redirect(veto.scheme)


class EvidenceDownloadView(StoredFileDownloadView):
    """Evidence leaves the private store only for who may read its score."""

    model = ScoreEvidence


class SchemeEditView(ScopedQuerysetMixin, ServiceFormView):
    """Write or change a scheme: the header, parts, the indicator tree as rows with their
    level, grades and prizes, vetoes — saved as one document by services.save_scheme, which
    names the indicator in every refusal. A scheme with approved results no longer changes."""

    template_name = "assessment/scheme_form.html"
    form_class = forms.SchemeForm
    write_roles = ASSESSORS
    FORMSETS = {
        "parts": forms.PartFormSet,
        "indicators": forms.IndicatorFormSet,
        "grades": forms.GradeFormSet,
        "prizes": forms.PrizeFormSet,
        "vetoes": forms.VetoRuleFormSet,
    }

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit").prefetch_related(
            "parts", "indicators"
        )

    def get_step_object(self):
        if "pk" not in self.kwargs:
            return None
        scheme = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not services.may_run(self.request.user, scheme):
            raise Http404
        return scheme

    def get_form(self, data=None, files=None):
        scheme = self.object
        initial = {}
        if scheme is not None:
            initial = {
                "title": scheme.title,
                "period": scheme.period,
                "level": scheme.level,
                "base_points": scheme.base_points,
                "bonus_cap": scheme.bonus_cap,
            }
        form = self.form_class(data, initial=initial)
        if scheme is not None:
            form.fields["period"].queryset |= type(scheme.period).objects.filter(
                pk=scheme.period_id
            )
        return form

    def get_formsets(self, data=None):
        initial = self.initial_rows() if data is None else {}
        return {
            name: formset(data, prefix=name, initial=initial.get(name))
            for name, formset in self.FORMSETS.items()
        }

    def initial_rows(self):
        scheme = self.object
        if scheme is None:
            return {}
        rule = scheme.result_rule
        return {
            "parts": [{"name": p.name, "weight": p.weight} for p in scheme.parts.all()],
            "indicators": forms.indicator_rows(services.scheme_tree(scheme)),
            "grades": rule.get("grades", []),
            "prizes": rule.get("prizes", []),
            "vetoes": scheme.vetoes,
        }

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formsets", self.get_formsets())
        locked = self.object is not None and self.object.results.exclude(approved_at=None).exists()
        return super().get_context_data(scheme=self.object, locked=locked, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_step_object()
        form = self.get_form(request.POST)
        formsets = self.get_formsets(request.POST)
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            document = {
                **form.cleaned_data,
                "base_points": forms.plain(form.cleaned_data["base_points"]),
                "bonus_cap": forms.plain(form.cleaned_data["bonus_cap"]),
                "parts": forms.filled(formsets["parts"], "name", "weight"),
                "indicators": forms.indicator_tree(formsets["indicators"]),
                "result_rule": {
                    "grades": forms.filled(formsets["grades"], "name"),
                    "prizes": forms.filled(formsets["prizes"], "name", "count"),
                },
                "vetoes": forms.filled(formsets["vetoes"], "reason", "source"),
            }
            try:
                scheme = services.save_scheme(request.user, self.object, **document)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("The assessment scheme is saved."))
                return redirect(scheme)
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets))


class SurveyImportView(ScopedQuerysetMixin, ServiceFormView):
    """第三方测评 on a page: county staff upload the survey firm's file for a survey item; every
    row is checked first and a bad file enters nothing, its errors naming their rows."""

    template_name = "assessment/survey_form.html"
    form_class = forms.SurveyImportForm
    write_roles = ASSESSORS

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit")

    def get_step_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"scheme": self.object}

    def run_service(self, service, form):
        data = form.cleaned_data
        return services.import_survey(
            self.request.user, data["indicator"], data["file"], data["round"]
        )

    service = services.import_survey

    def get_success_message(self, result, form):
        return ngettext("%(count)d score imported.", "%(count)d scores imported.", result) % {
            "count": result
        }

    def get_success_url(self, result):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(scheme=self.object, **kwargs)
