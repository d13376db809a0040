import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.core.widgets import DateInput
from apps.liaison.models import Case, Contact, Representative, Specialty, Visit


class VisitForm(forms.Form):
    """走访 in a few taps: households, how, what was said, and a need if one was raised."""

    contacts = forms.ModelMultipleChoiceField(
        label=_("households"), queryset=Contact.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    visited_on = forms.DateField(label=_("date"), widget=DateInput())
    mode = forms.ChoiceField(label=_("mode"), choices=Visit.Mode.choices, widget=forms.RadioSelect)
    summary = forms.CharField(
        label=_("summary"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    need_category = forms.ChoiceField(
        label=_("need raised"),
        required=False,
        choices=[("", _("No need raised")), *Case.Category.choices],
    )
    need_description = forms.CharField(
        label=_("what she needs"),
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # A fresh id per form shown (static/js/offline.js makes one per visit on the phone): the
    # same visit posted twice, e.g. a second tap on a slow line, is stored once.
    client_id = forms.UUIDField(required=False, initial=uuid.uuid4, widget=forms.HiddenInput)

    def __init__(self, *args, representative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = representative.contacts.order_by(
            "last_visited_on", "name"
        )
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["mode"].initial = Visit.Mode.HOME

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("need_category") and not cleaned.get("need_description", "").strip():
            self.add_error("need_description", _("Describe the need."))
        return cleaned

    def service_fields(self):
        """The cleaned values as log_visit takes them."""
        data = self.cleaned_data
        return {
            "visited_on": data["visited_on"],
            "mode": data["mode"],
            "contacts": data["contacts"],
            "summary": data["summary"],
            "needs": self.needs(),
            "client_id": data.get("client_id"),
        }

    def needs(self):
        """The need raised, as log_visit takes it: for the first household chosen."""
        data = self.cleaned_data
        if not data.get("need_category"):
            return []
        return [
            {
                "contact": data["contacts"][0],
                "category": data["need_category"],
                "description": data["need_description"],
            }
        ]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["representative", "name", "phone", "address", "tags", "risk"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        representatives = Representative.objects.assignable_by(user).active()
        self.fields["representative"].queryset = representatives
        self.fields["tags"].help_text = _("Separate tags with commas, e.g. 留守妇女,创业")


class CaseActionForm(forms.Form):
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    satisfaction = forms.ChoiceField(
        label=_("satisfaction"), required=False, choices=[("", "—"), *Case.Satisfaction.choices]
    )


class RepresentativeForm(forms.ModelForm):
    specialties = forms.MultipleChoiceField(
        label=_("specialties"),
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Representative
        fields = [
            "full_name",
            "phone",
            "sector",
            "specialties",
            "term_start",
            "term_end",
            "is_active",
        ]
        widgets = {
            "term_start": DateInput(),
            "term_end": DateInput(),
        }


class NewRepresentativeForm(RepresentativeForm):
    class Meta(RepresentativeForm.Meta):
        fields = ["unit", "number", *RepresentativeForm.Meta.fields]

    def __init__(self, *args, user, **kwargs):
        from apps.organizations.models import OrgUnit

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            OrgUnit.objects.for_user(user).of_kind("village").order_by("path")
        )
        self.fields["unit"].label = _("village")


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("roster file (.xlsx)"))


class CoverageForm(forms.Form):
    LEVELS = [
        ("township", _("Township")),
        ("village", _("Village")),
        ("representative", _("representative")),
    ]

    period = forms.ModelChoiceField(label=_("period"), queryset=None, required=False)
    level = forms.ChoiceField(label=_("level"), choices=LEVELS, required=False)

    def __init__(self, *args, **kwargs):
        from apps.organizations.models import Period

        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
