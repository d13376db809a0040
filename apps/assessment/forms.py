"""Assessment forms: the score sheet of one unit in one round, a round's step, a veto, and the
scheme editor."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.assessment import sources
from apps.assessment.models import Indicator, Level, Round
from apps.core.forms import MultipleFileField
from apps.organizations.models import OrgUnit, Period

ENTRY_FIELDS = ("value", "reason", "evidence", "files")


class ScoreSheetForm(forms.Form):
    """Per hand-scored item a value, the reason for it (needed when the second review changes
    a figure), a note on the evidence and the evidence files; ``unit`` and ``round`` say whose
    sheet it is. The maximum, range and per-incident rules are the service's."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    person = forms.IntegerField(widget=forms.HiddenInput, required=False)
    round = forms.ChoiceField(choices=Round.choices, widget=forms.HiddenInput)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            counts = item.kind == Indicator.Kind.INCIDENT and "range" not in item.rule
            self.fields[f"value_{item.pk}"] = forms.DecimalField(
                label=_("Number of events") if counts else _("Points"),
                required=False,
                max_digits=8,
                decimal_places=2,
            )
            self.fields[f"reason_{item.pk}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=2000
            )
            self.fields[f"evidence_{item.pk}"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"files_{item.pk}"] = MultipleFileField(label=_("Evidence files"))

    def rows(self):
        """``[(item, {field name: bound field})]`` for the template, in the tree's order."""
        return [
            (item, {name: self[f"{name}_{item.pk}"] for name in ENTRY_FIELDS})
            for item in self.items
        ]

    def entries(self):
        """``{indicator: {"value", "reason", "evidence", "files"}}`` as the service takes it."""
        data = self.cleaned_data
        return {
            item: {
                name: data.get(f"{name}_{item.pk}") or ("" if name != "value" else None)
                for name in ENTRY_FIELDS
            }
            | {"files": data.get(f"files_{item.pk}") or []}
            for item in self.items
        }


class RoundStepForm(forms.Form):
    """A POST button on a scheme's round: score it now, approve it, publish it."""

    STEPS = [
        ("score", _("Score now")),
        ("approve", _("Approve")),
        ("publish", _("Publish")),
    ]

    round = forms.ChoiceField(choices=Round.choices)
    step = forms.ChoiceField(choices=STEPS)


class VetoForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("e.g. 发生重大事件，造成不良影响"),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


# ---------------------------------------------------------------- the scheme editor
#
# A scheme is one document (services.save_scheme checks it as a whole and names the indicator
# in every message); the editor is that document as a form: the header, the parts, the tree as
# rows with their level, the grades and prizes, the vetoes.

RULE_FIELDS = ("per_event", "cap", "target")


def plain(value):
    """A form's Decimal as the JSON number a person would write (2, -2, 0.5)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class SchemeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.none())
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    base_points = forms.DecimalField(
        label=_("Base points"),
        initial=0,
        min_value=0,
        help_text=_("基础分 / 起评分: the points every unit starts from (0 for none)."),
    )
    bonus_cap = forms.DecimalField(
        label=_("Bonus cap"), initial=0, min_value=0, help_text=_("0: the bonus is not capped.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(is_closed=False)


class PartRowForm(forms.Form):
    name = forms.CharField(label=_("Part"), max_length=100, required=False)
    weight = forms.DecimalField(label=_("Weight (%)"), required=False, min_value=0)


class IndicatorRowForm(forms.Form):
    """One node of the tree. ``depth`` 0 is a top-level category or item, 1 and 2 hang under
    the nearest row above with a smaller depth."""

    DEPTHS = [(0, _("Level 1")), (1, _("Level 2")), (2, _("Level 3"))]

    depth = forms.TypedChoiceField(label=_("Indicator tier"), choices=DEPTHS, coerce=int, initial=0)
    title = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    max_points = forms.DecimalField(label=_("Maximum"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("(category)")), *Indicator.Kind.choices],
        required=False,
    )
    part = forms.CharField(label=_("Part"), max_length=100, required=False)
    source = forms.ChoiceField(label=_("Data source"), required=False)
    per_event = forms.DecimalField(
        label=_("Points per event"), required=False, help_text=_("negative deducts")
    )
    cap = forms.DecimalField(label=_("Cap"), required=False)
    range_low = forms.DecimalField(label=_("Range from"), required=False)
    range_high = forms.DecimalField(label=_("Range to"), required=False)
    target = forms.DecimalField(label=_("Target figure"), required=False)
    bonus = forms.BooleanField(label=_("Bonus"), required=False)
    extra_rule = forms.JSONField(
        label=_("Other rules"),
        required=False,
        help_text=_('e.g. {"thresholds": [[90, 10], [80, 8]], "multipliers": {"township": 1.2}}'),
    )
    evidence = forms.CharField(label=_("Evidence to file"), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—")] + [
            (source.code, source.label) for source in sources.all_sources()
        ]

    def clean_extra_rule(self):
        rule = self.cleaned_data.get("extra_rule")
        if rule is not None and not isinstance(rule, dict):
            raise forms.ValidationError(_("Write the other rules as an object: {…}."))
        return rule

    def has_row(self):
        return bool(self.cleaned_data.get("title") or self.cleaned_data.get("max_points"))

    def node(self):
        data = self.cleaned_data
        rule = dict(data.get("extra_rule") or {})
        for name in RULE_FIELDS:
            if data.get(name) is not None:
                rule[name] = plain(data[name])
        if data.get("range_low") is not None or data.get("range_high") is not None:
            rule["range"] = [plain(data.get("range_low")), plain(data.get("range_high"))]
        if data.get("bonus"):
            rule["bonus"] = True
        return {
            "title": data.get("title") or "",
            "max_points": data.get("max_points"),
            "kind": data.get("kind") or "",
            "part": data.get("part") or "",
            "source": data.get("source") or "",
            "evidence": data.get("evidence") or "",
            "rule": rule,
            "children": [],
        }

    @staticmethod
    def initial_for(node, depth):
        rule = dict(node["rule"])
        low, high = rule.pop("range", [None, None])
        return {
            "depth": depth,
            "title": node["title"],
            "max_points": node["max_points"],
            "kind": node["kind"],
            "part": node["part"] if depth == 0 else "",
            "source": node["source"],
            "evidence": node["evidence"],
            "range_low": low,
            "range_high": high,
            "bonus": rule.pop("bonus", False),
            **{name: rule.pop(name) for name in RULE_FIELDS if name in rule},
            "extra_rule": rule or None,
        }


class GradeRowForm(forms.Form):
    name = forms.CharField(label=_("Grade"), max_length=30, required=False)
    min = forms.DecimalField(label=_("At least"), required=False)
    quota = forms.DecimalField(label=_("Quota (%)"), required=False)
    award = forms.BooleanField(label=_("An award"), required=False)


class PrizeRowForm(forms.Form):
    name = forms.CharField(label=_("Prize"), max_length=30, required=False)
    count = forms.IntegerField(label=_("Number"), required=False, min_value=0)


class VetoRuleRowForm(forms.Form):
    reason = forms.CharField(label=_("Veto"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Data source"), required=False)
    at_least = forms.DecimalField(label=_("When at least"), required=False)
    at_most = forms.DecimalField(label=_("When at most"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—")] + [
            (source.code, source.label) for source in sources.all_sources()
        ]


def _row_formset(form, extra):
    return forms.formset_factory(form, extra=extra, max_num=300)


PartFormSet = _row_formset(PartRowForm, 2)
IndicatorFormSet = _row_formset(IndicatorRowForm, 6)
GradeFormSet = _row_formset(GradeRowForm, 2)
PrizeFormSet = _row_formset(PrizeRowForm, 2)
VetoRuleFormSet = _row_formset(VetoRuleRowForm, 1)


def filled(formset, *keys):
    """The rows of a valid formset with any of ``keys`` filled in, as plain dicts."""
    return [
        {
            key: plain(value)
            for key, value in row.cleaned_data.items()
            if value not in (None, "", False)
        }
        for row in formset
        if any(row.cleaned_data.get(key) not in (None, "", False) for key in keys)
    ]


def indicator_tree(formset):
    """The rows of the indicator formset nested by their level, as save_scheme takes them."""
    roots, stack = [], []
    for row in formset:
        if not row.has_row():
            continue
        node, depth = row.node(), row.cleaned_data["depth"]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        (stack[-1][1]["children"] if stack else roots).append(node)
        stack.append((depth, node))
    return roots


def indicator_rows(tree, depth=0):
    """The saved tree flattened back into rows for the editor."""
    rows = []
    for node in tree:
        rows.append(IndicatorRowForm.initial_for(node, depth))
        rows += indicator_rows(node["children"], depth + 1)
    return rows


class SurveyImportForm(forms.Form):
    """第三方测评: the file a survey firm sent, for one survey item and round."""

    indicator = forms.ModelChoiceField(label=_("Survey item"), queryset=Indicator.objects.none())
    round = forms.ChoiceField(label=_("Round"), choices=Round.choices)
    file = forms.FileField(
        label=_("Survey file"),
        help_text=_(
            "An .xlsx or .csv file: a header row naming the unit (单位编码 or 单位) and the "
            "score (得分), then one row per unit."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = scheme.indicators.filter(kind=Indicator.Kind.SURVEY)
