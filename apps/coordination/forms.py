from django import forms
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import Referral, Service
from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.liaison.services import CaseCategory
from apps.organizations.models import OrgUnit


class ServiceForm(forms.Form):
    department = forms.ModelChoiceField(label=_("department"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("class"), choices=Service.Kind.choices)
    description = forms.CharField(label=_("description and eligibility"), widget=forms.Textarea)
    how_to_apply = forms.CharField(label=_("how to apply"), required=False, widget=forms.Textarea)
    contact = forms.CharField(label=_("contact"), max_length=100, required=False)
    hours = forms.CharField(label=_("opening hours"), max_length=100, required=False)
    case_categories = forms.MultipleChoiceField(
        label=_("case categories"),
        choices=CaseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("status"), choices=Service.Status.choices)
    accepts_sensitive = forms.BooleanField(label=_("takes sensitive cases"), required=False)

    def __init__(self, *args, departments, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial", {name: getattr(instance, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class ReferralForm(forms.Form):
    """转介 from a case: a service that takes its category, and her consent."""

    service = forms.ModelChoiceField(label=_("service"), queryset=Service.objects.none())
    consent = forms.BooleanField(label=_("She agrees to the referral"), required=False)
    consent_method = forms.ChoiceField(
        label=_("consent given"),
        required=False,
        choices=[("", "—"), *Referral.ConsentMethod.choices],
    )
    override_reason = forms.CharField(
        label=_("override reason (county staff only, without consent)"),
        required=False,
        max_length=SHORT_TEXT,
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ReferralStepForm(forms.Form):
    outcome = forms.CharField(
        label=_("outcome"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(label=_("reason for declining"), required=False, max_length=SHORT_TEXT)


class IncomingReferralForm(forms.Form):
    """A department refers a woman to the federation, with her consent."""

    department = forms.ModelChoiceField(
        label=_("referring department"), queryset=OrgUnit.objects.none()
    )
    unit = forms.ModelChoiceField(label=_("federation unit"), queryset=OrgUnit.objects.none())
    category = forms.ChoiceField(label=_("category"), choices=CaseCategory.choices)
    need = forms.CharField(label=_("need"), max_length=LONG_TEXT, widget=forms.Textarea)
    is_sensitive = forms.BooleanField(label=_("sensitive"), required=False)
    consent = forms.BooleanField(
        label=_("She agrees to the referral and to sharing her name and phone"), required=False
    )
    consent_method = forms.ChoiceField(
        label=_("consent given"),
        required=False,
        choices=[("", "—"), *Referral.ConsentMethod.choices],
    )
    name = forms.CharField(label=_("her name"), max_length=50)
    phone = forms.CharField(label=_("her mobile phone"), max_length=20, required=False)
    village = forms.ModelChoiceField(
        label=_("her village"), queryset=OrgUnit.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, departments, units, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["unit"].queryset = units
        self.fields["village"].queryset = villages


class IncomingReferralStepForm(forms.Form):
    """The receiving staff's answer: accept into a village and a representative, or decline."""

    village = forms.ModelChoiceField(
        label=_("her village"), queryset=OrgUnit.objects.none(), required=False
    )
    representative = forms.ModelChoiceField(
        label=_("representative"), queryset=OrgUnit.objects.none(), required=False
    )
    reason = forms.CharField(label=_("reason for declining"), required=False, max_length=SHORT_TEXT)

    def __init__(self, *args, villages, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["representative"].queryset = representatives
        self.fields["representative"].label_from_instance = lambda r: (
            f"{r.unit.name} · {r.full_name}"
        )
