from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.forms import MultipleFileField
from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.core.roles import Role
from apps.core.widgets import DateInput
from apps.organizations.models import OrgUnit
from apps.supervision.models import PROGRESS_CYCLES, Colour, ItemRequest, SupervisionItem


class ItemForm(forms.Form):
    """交办: the item, its units and (optionally) its deadline."""

    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("request"), max_length=LONG_TEXT, widget=forms.Textarea)
    source = forms.ChoiceField(label=_("source"), choices=SupervisionItem.Source.choices)
    priority = forms.ChoiceField(label=_("priority"), choices=SupervisionItem.Priority.choices)
    lead_unit = forms.ModelChoiceField(
        label=_("lead unit"), queryset=OrgUnit.objects.none(), required=False
    )
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("cooperating units"), queryset=OrgUnit.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("deadline"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for the default of the source and priority."),
    )
    files = MultipleFileField(label=_("attachments"))
    meeting_decision = forms.ModelChoiceField(
        label=_("joint-meeting decision"),
        queryset=None,
        required=False,
        help_text=_(
            "An open decision this item takes over: its owner department leads by default, by "
            "its deadline, and it is done when the item is closed."
        ),
    )
    progress_cycle = forms.ChoiceField(
        label=_("progress feedback"),
        required=False,
        choices=[("", _("None")), *PROGRESS_CYCLES],
    )
    progress_day = forms.IntegerField(
        label=_("progress feedback by day"), min_value=1, max_value=28, initial=25, required=False
    )

    def __init__(self, *args, units, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units
        self.fields["cooperating_units"].queryset = units
        self.fields["meeting_decision"].queryset = decisions


class ItemStepForm(forms.Form):
    """Every step on the item page; the service says which values a step needs."""

    text = forms.CharField(
        label=_("text"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label=_("requests"), required=False, choices=[("", "—"), *ItemRequest.Kind.choices]
    )
    new_deadline = forms.DateField(label=_("new deadline"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("reason"), required=False, max_length=SHORT_TEXT)
    evaluation = forms.ChoiceField(
        label=_("evaluation"),
        required=False,
        choices=[("", "—"), *SupervisionItem.Evaluation.choices],
    )
    colour = forms.ChoiceField(
        label=_("slip"), required=False, choices=[("", "—"), *Colour.choices]
    )
    files = MultipleFileField(label=_("attachments"))


class ItemExtraStepForm(ItemStepForm):
    """The item page's further steps: progress feedback for a period, the unit leader's
    approval, and a leader's commendation recorded by the supervisor."""

    period = forms.DateField(label=_("progress period"), required=False, widget=DateInput)
    feedback = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    commendation = forms.CharField(
        label=_("leader's commendation"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    commended_by = forms.ModelChoiceField(
        label=_("commending leader"), queryset=User.objects.none(), required=False
    )
    commended_by_name = forms.CharField(
        label=_("commending leader's name"), required=False, max_length=100
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["commended_by"].queryset = (
                User.objects.for_user(user)
                .filter(is_active=True, memberships__role=Role.LEADER)
                .distinct()
                .order_by("full_name")
            )


class UnitSettingForm(forms.Form):
    """Whether the unit's feedback needs its leader's approval, and who approves."""

    requires_approval = forms.BooleanField(
        label=_("feedback needs the unit leader's approval"), required=False
    )
    approvers = forms.ModelMultipleChoiceField(
        label=_("approvers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approvers"].queryset = members


# --- 督查 and 整改 -------------------------------------------------------------------------------


class InspectionForm(forms.Form):
    """督查: the visit; the checklist is written one row per line, "item checked: finding"."""

    unit = forms.ModelChoiceField(
        label=_("unit inspected"), queryset=OrgUnit.objects.none(), required=False
    )
    held_on = forms.DateField(label=_("inspection date"), required=False, widget=DateInput)
    team = forms.CharField(label=_("inspection team"), max_length=200, required=False)
    checklist = forms.CharField(
        label=_("checklist"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One row per line: the item checked, a colon, and the finding."),
    )
    findings = forms.CharField(
        label=_("findings"), max_length=LONG_TEXT, required=False, widget=forms.Textarea
    )
    files = MultipleFileField(label=_("attachments"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_checklist(self):
        rows = []
        for line in self.cleaned_data["checklist"].splitlines():
            item, _colon, finding = line.replace("：", ":").partition(":")
            if item.strip() or finding.strip():
                rows.append({"item": item.strip(), "finding": finding.strip()})
        return rows


class RectificationRowForm(forms.Form):
    text = forms.CharField(
        label=_("rectification"),
        max_length=SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.ModelChoiceField(
        label=_("responsible unit"), queryset=OrgUnit.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DateInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = units

    def has_row(self):
        data = self.cleaned_data
        return bool(data.get("text") or data.get("owner") or data.get("deadline"))


RectificationFormSet = forms.formset_factory(RectificationRowForm, extra=3, max_num=50)


class RectificationStepForm(forms.Form):
    """The steps on a rectification: submit (text, files), verify (comment, files), return
    (reason)."""

    text = forms.CharField(
        label=_("what was done"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comment = forms.CharField(
        label=_("verification comment"), required=False, max_length=SHORT_TEXT
    )
    reason = forms.CharField(label=_("reason"), required=False, max_length=SHORT_TEXT)
    files = MultipleFileField(label=_("evidence"))
