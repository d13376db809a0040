from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.coordination.models import (
    FollowUpVisit,
    MandatoryReport,
    MeetingConvener,
    ProtectionOrder,
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
)
from apps.core.forms import MultipleFileField
from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.core.widgets import DateInput, DateTimeInput
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
    provides_shelter = forms.BooleanField(label=_("provides shelter"), required=False)

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


# --- the domestic-violence pathway -------------------------------------------------------------

DATE = DateInput()
MOMENT = DateTimeInput()
NOTE = forms.Textarea(attrs={"rows": 2})


class WarningLetterForm(forms.Form):
    issued_on = forms.DateField(label=_("date issued"), widget=DATE)
    issued_by = forms.CharField(label=_("issuing police department or station"), max_length=100)
    number = forms.CharField(label=_("letter number"), max_length=50, required=False)
    note = forms.CharField(label=_("note"), max_length=SHORT_TEXT, required=False, widget=NOTE)


class FollowUpVisitForm(forms.Form):
    """查访 done, on one of the case's open follow-up visits."""

    item = forms.ModelChoiceField(
        label=_("follow-up visit"), queryset=FollowUpVisit.objects.none(), widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("what the visit found"), max_length=SHORT_TEXT, widget=NOTE)
    visit = forms.TypedChoiceField(
        label=_("visit logged"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, items, visits, **kwargs):
        """``visits``: a callable giving the user's visits (a queryset) and ``choices``:
        (id, label) pairs read once for every form on the page."""
        self.visits, choices = visits
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["visit"].choices = [("", "—"), *choices]

    def clean_visit(self):
        visit = self.cleaned_data["visit"]
        return None if visit is None else self.visits().filter(pk=visit).first()


class ProtectionOrderForm(forms.Form):
    applied_at = forms.DateTimeField(label=_("applied at"), widget=MOMENT)
    court = forms.CharField(label=_("court"), max_length=100)
    urgent = forms.BooleanField(label=_("urgent"), required=False)
    note = forms.CharField(label=_("note"), max_length=SHORT_TEXT, required=False, widget=NOTE)


class ProtectionOrderDecisionForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("protection order"),
        queryset=ProtectionOrder.objects.none(),
        widget=forms.HiddenInput,
    )
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[("", "—"), *ProtectionOrder.Outcome.choices[1:]],
        required=False,
    )
    decided_at = forms.DateTimeField(label=_("decided at"), widget=MOMENT)
    note = forms.CharField(label=_("note"), max_length=SHORT_TEXT, required=False, widget=NOTE)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class MandatoryReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("reason"), choices=[("", "—"), *MandatoryReport.Reason.choices], required=False
    )
    note = forms.CharField(label=_("note"), max_length=SHORT_TEXT, required=False, widget=NOTE)


class MandatoryReportSentForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("mandatory report"),
        queryset=MandatoryReport.objects.none(),
        widget=forms.HiddenInput,
    )
    reported_to = forms.CharField(label=_("reported to"), max_length=100, required=False)
    reported_at = forms.DateTimeField(label=_("reported at"), widget=MOMENT)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


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


# --- the resource ledger ----------------------------------------------------------------------

NO_CASE_TEXT = _(
    "Say what it is for in general terms (e.g. 生活救助, 法律咨询); do not copy the case's text "
    "or anything about the woman."
)


class ResourceSourceForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("owning unit"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=ResourceSource.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    donor = forms.CharField(label=_("donor"), max_length=100, required=False)
    budget_line = forms.CharField(label=_("budget line"), max_length=100, required=False)
    measure = forms.ChoiceField(label=_("unit of measure"), choices=ResourceSource.Measure.choices)
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2)
    received_on = forms.DateField(label=_("received on"))
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ResourceReceiptForm(forms.Form):
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2)
    received_on = forms.DateField(label=_("received on"))
    donor = forms.CharField(label=_("donor"), max_length=100, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ResourceAllocationForm(forms.Form):
    """拨付/发放 to exactly one of a case (by its number), a village or a project."""

    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2)
    allocated_on = forms.DateField(label=_("date"))
    case = forms.IntegerField(label=_("case number"), required=False, min_value=1)
    village = forms.ModelChoiceField(
        label=_("village"), queryset=OrgUnit.objects.none(), required=False
    )
    project = forms.CharField(label=_("project"), max_length=100, required=False)
    purpose = forms.CharField(label=_("purpose"), max_length=200, help_text=NO_CASE_TEXT)
    approved_by = forms.CharField(label=_("approved by"), max_length=100)

    def __init__(self, *args, villages, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.cases = cases

    def clean_case(self):
        number = self.cleaned_data.get("case")
        if number is None:
            return None
        case = self.cases.filter(pk=number).first()
        if case is None:
            raise forms.ValidationError(_("No such case."))
        return case


class ResourceReversalForm(forms.Form):
    entry = forms.ModelChoiceField(label=_("entry"), queryset=ResourceEntry.objects.none())
    reason = forms.CharField(label=_("reason"), max_length=200, help_text=NO_CASE_TEXT)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries


class ResourceHoursForm(forms.Form):
    case = forms.ModelChoiceField(label=_("case"), queryset=ResourceEntry.objects.none())
    person = forms.CharField(label=_("person"), max_length=50)
    person_kind = forms.ChoiceField(label=_("kind"), choices=ResourceHours.PersonKind.choices)
    organisation = forms.CharField(
        label=_("organisation or department"), max_length=100, required=False
    )
    service = forms.ModelChoiceField(
        label=_("service"), queryset=Service.objects.none(), required=False
    )
    worked_on = forms.DateField(label=_("date"))
    hours = forms.DecimalField(label=_("hours"), max_digits=4, decimal_places=1)

    def __init__(self, *args, cases, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda case: (
            f"#{case.pk} {case.get_category_display()}"
        )
        self.fields["service"].queryset = services


# --- 联席会议 ---


CASE_DETAILS_HELP = _(
    "Minutes are not personal data, but they are read by every member department: write no "
    "case details here (no woman's name, address, phone or story); refer a case through a "
    "referral instead."
)


class MeetingForm(forms.Form):
    """A joint meeting as county staff record it; its decisions come in DecisionFormSet."""

    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
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
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DateInput())

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
    joined_on = forms.DateField(label=_("member since"), widget=DateInput())
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

    since = forms.DateField(label=_("since"), widget=DateInput())
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
