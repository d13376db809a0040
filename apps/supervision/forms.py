from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.organizations.models import OrgUnit
from apps.supervision.models import Colour, ItemRequest, SupervisionItem


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several attachments in one field; their content is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp,.docx,.xlsx,.pptx"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class DateInput(forms.DateInput):
    input_type = "date"


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

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units
        self.fields["cooperating_units"].queryset = units


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
