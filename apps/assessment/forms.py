"""Assessment forms: the score sheet of one unit in one round, a round's step, a veto."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.assessment.models import Indicator, Round
from apps.core.forms import MultipleFileField
from apps.organizations.models import OrgUnit

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
