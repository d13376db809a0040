from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import MultipleFileField
from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.core.widgets import DateInput
from apps.objectives.models import InnovationItem, Objective, ObjectivePlan
from apps.organizations.models import OrgUnit


class ObjectivePlanForm(forms.ModelForm):
    class Meta:
        model = ObjectivePlan
        fields = [
            "period",
            "title",
            "completion_cap",
            "innovation_cap",
            "late_report_deduction",
            "report_grace_days",
            "excellent_from",
            "good_from",
            "pass_from",
            "collective_awards",
            "individual_awards",
            "innovation_awards",
        ]


class ObjectiveForm(forms.ModelForm):
    """Writing an objective, or a part of one: a part inherits what its parent measures, so
    only the assignment, target, weight and dates are asked for."""

    rubric_text = forms.CharField(
        label=_("scoring rubric"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One level per line: label = completion share, e.g. “已制定方案 = 0.4”."),
    )

    PART_FIELDS = ["title", "assignee_unit", "assignee_person", "target", "weight", "due_date"]

    class Meta:
        model = Objective
        fields = [
            "category",
            "title",
            "description",
            "kind",
            "measure_unit",
            "baseline",
            "target",
            "direction",
            "additive",
            "weight",
            "due_date",
            "report_frequency",
            "assignee_unit",
            "assignee_person",
        ]
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, plan, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.fields["due_date"].initial = plan.period.end_date
        units = OrgUnit.objects.for_user(user)
        if parent is not None:
            units = units.filter(path__startswith=parent.assignee_unit.path)
            for name in list(self.fields):
                if name not in self.PART_FIELDS:
                    del self.fields[name]
            self.fields["title"].initial = parent.title
            self.fields["due_date"].initial = parent.due_date
        self.fields["assignee_unit"].queryset = units.order_by("path")
        if "assignee_person" in self.fields:
            from apps.accounts.models import User

            self.fields["assignee_person"].queryset = User.objects.for_user(user).order_by(
                "username"
            )
        if self.instance.pk and self.instance.rubric:
            self.fields["rubric_text"].initial = "\n".join(
                f"{level['label']} = {level['completion']}" for level in self.instance.rubric
            )

    def clean_rubric_text(self):
        rubric = []
        for line in self.cleaned_data.get("rubric_text", "").splitlines():
            if not line.strip():
                continue
            label, separator, share = line.rpartition("=")
            try:
                completion = Decimal(share.strip())
            except ArithmeticError:
                completion = None
            if not separator or completion is None or not label.strip():
                raise forms.ValidationError(
                    _("Write each level as “label = share”, e.g. “完成 = 1”.")
                )
            rubric.append({"label": label.strip(), "completion": float(completion)})
        return rubric

    def service_fields(self):
        """The cleaned values as the planning service takes them."""
        fields = {name: value for name, value in self.cleaned_data.items() if name != "rubric_text"}
        if "rubric_text" in self.fields:
            fields["rubric"] = self.cleaned_data["rubric_text"]
        return fields


class RevisionForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(
        label=_("weight (points)"), required=False, min_value=Decimal("0.01")
    )
    target = forms.DecimalField(label=_("target"), required=False)


class ProgressReportForm(forms.Form):
    cycle_end = forms.TypedChoiceField(label=_("reporting cycle ending"), coerce=str)
    value = forms.DecimalField(label=_("cumulative value"), required=False)
    rubric_level = forms.ChoiceField(label=_("milestone level"), required=False)
    narrative = forms.CharField(
        label=_("narrative"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("evidence files"))

    def __init__(self, *args, objective, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle_end"].choices = [
            (cycle.isoformat(), cycle.isoformat()) for cycle in cycles
        ]
        if objective.is_milestone:
            del self.fields["value"]
            self.fields["rubric_level"].choices = [
                (label, label) for label, _share in objective.rubric_levels
            ]
            self.fields["rubric_level"].required = True
        else:
            del self.fields["rubric_level"]
            self.fields["value"].required = True
            self.fields["value"].label = _("cumulative value (%(unit)s)") % {
                "unit": objective.measure_unit
            }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("review comment"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InnovationClaimForm(forms.ModelForm):
    files = MultipleFileField(label=_("evidence files"))

    class Meta:
        model = InnovationItem
        fields = ["unit", "person", "title", "description", "claimed_points"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.accounts.models import User

        self.fields["unit"].queryset = OrgUnit.objects.for_user(user).order_by("path")
        self.fields["person"].queryset = User.objects.for_user(user).order_by("username")


class AwardForm(forms.Form):
    points = forms.DecimalField(label=_("points awarded"), min_value=Decimal("0.01"))
    comment = forms.CharField(label=_("review comment"), required=False, max_length=SHORT_TEXT)


class DecomposeRowForm(forms.Form):
    """One row of the decomposition table: who (hidden, resolved in the user's area), the
    basis of a proportional share, and the part's weight, target and due date."""

    assignee_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), widget=forms.HiddenInput
    )
    assignee_person = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, widget=forms.HiddenInput
    )
    basis = forms.DecimalField(label=_("share basis"), required=False, min_value=0)
    weight = forms.DecimalField(
        label=_("weight (points)"), required=False, min_value=0, decimal_places=2
    )
    target = forms.DecimalField(label=_("target"), required=False, decimal_places=2)
    due_date = forms.DateField(
        label=_("due date"),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args, user, **kwargs):
        from apps.accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["assignee_unit"].queryset = OrgUnit.objects.for_user(user)
        self.fields["assignee_person"].queryset = User.objects.for_user(user)
        for name in ("basis", "weight", "target"):
            self.fields[name].widget.attrs.update(
                {"class": "form-control form-control-sm text-end", "data-column": name}
            )
        self.fields["due_date"].widget.attrs["class"] = "form-control form-control-sm"

    def part(self):
        """The row as decompose_objective takes it."""
        data = self.cleaned_data
        return {
            "assignee_unit": data["assignee_unit"],
            "assignee_person": data.get("assignee_person"),
            "weight": data.get("weight") or Decimal(0),
            "target": data.get("target"),
            "due_date": data.get("due_date"),
        }


DecomposeFormSet = forms.formset_factory(DecomposeRowForm, extra=0, max_num=500, absolute_max=500)


class FiguresUploadForm(forms.Form):
    figures = forms.FileField(
        label=_("basis figures (.xlsx or .csv)"),
        help_text=_("Unit code in the first column, figure in the second."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
