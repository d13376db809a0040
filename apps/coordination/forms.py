from django import forms
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import Referral, Service
from apps.core.models import SHORT_TEXT
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
    complete_days = forms.IntegerField(
        label=_("days to complete"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Leave empty for the county's rule for completing a referral."),
    )
    complete_in_working_days = forms.BooleanField(
        label=_("counted in working days"), required=False, initial=True
    )

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


class ReferralRateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("her satisfaction"), choices=[("", "—"), *Referral.Satisfaction.choices]
    )


class ResponsivenessForm(forms.Form):
    period = forms.ModelChoiceField(label=_("period"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from apps.organizations.models import Period

        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.all()
