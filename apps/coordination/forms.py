from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.coordination.models import MeetingConvener, Referral, Service
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


# --- 联席会议 ---


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several minutes files in one field (as objectives' evidence); the service checks their
    size and content."""

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


CASE_DETAILS_HELP = _(
    "Minutes are not personal data, but they are read by every member department: write no "
    "case details here (no woman's name, address, phone or story); refer a case through a "
    "referral instead."
)


class MeetingForm(forms.Form):
    """A joint meeting as county staff record it; its decisions come in DecisionFormSet."""

    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    convened_by = forms.ModelChoiceField(
        label=_("convened by"), queryset=MeetingConvener.objects.none(), required=False
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("departments present"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agenda = forms.CharField(
        label=_("agenda"),
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=CASE_DETAILS_HELP,
    )
    minutes = forms.CharField(
        label=_("minutes"),
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=CASE_DETAILS_HELP,
    )
    files = MultipleFileField(label=_("minutes files"))

    def __init__(self, *args, conveners, departments, instance=None, **kwargs):
        if instance is not None:
            initial = {name: getattr(instance, name) for name in MEETING_INITIAL}
            initial["departments"] = list(instance.departments.all())
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["convened_by"].queryset = conveners
        self.fields["departments"].queryset = departments


MEETING_INITIAL = ("title", "held_on", "place", "convened_by", "agenda", "minutes")


class DecisionForm(forms.Form):
    """One 议定事项 row; the service checks owner and deadline, so every door says the same."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("decision"),
        max_length=SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.ModelChoiceField(
        label=_("owner department"), queryset=OrgUnit.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def is_blank(self):
        data = self.cleaned_data
        return not (data.get("text") or data.get("owner") or data.get("deadline"))


DecisionFormSet = forms.formset_factory(DecisionForm, extra=2, can_delete=True, max_num=50)


class DecisionDoneForm(forms.Form):
    note = forms.CharField(
        label=_("what your department did"),
        max_length=SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=CASE_DETAILS_HELP,
    )


class MemberForm(forms.Form):
    """A department joins the system with its first 联络员."""

    department = forms.ModelChoiceField(label=_("department"), queryset=OrgUnit.objects.none())
    joined_on = forms.DateField(
        label=_("member since"), widget=forms.DateInput(attrs={"type": "date"})
    )
    officer = forms.ModelChoiceField(
        label=_("liaison officer's account"), queryset=User.objects.none(), required=False
    )
    officer_name = forms.CharField(label=_("liaison officer"), max_length=50, required=False)
    officer_phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)

    def __init__(self, *args, departments, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["officer"].queryset = officers


class LiaisonOfficerForm(forms.Form):
    """A new 联络员 from a date; the one before keeps her row in the history."""

    since = forms.DateField(label=_("since"), widget=forms.DateInput(attrs={"type": "date"}))
    officer = forms.ModelChoiceField(
        label=_("liaison officer's account"), queryset=User.objects.none(), required=False
    )
    name = forms.CharField(label=_("liaison officer"), max_length=50, required=False)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class ConvenerForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingConvener.Kind.choices)
    name = forms.CharField(label=_("full name"), max_length=50)
    title = forms.CharField(label=_("position"), max_length=100, required=False)
    is_active = forms.BooleanField(label=_("serving"), required=False, initial=True)

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial", {name: getattr(instance, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)
