import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import (
    FollowUpVisit,
    IncomingReferral,
    JointMeeting,
    MandatoryReport,
    MeetingDecision,
    ProtectionOrder,
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
    WarningLetter,
)
from apps.core.filters import boolean_filter, choice_filter, id_filter, model_choice_filter
from apps.liaison.services import CaseCategory
from apps.organizations.models import OrgUnit


def departments(request):
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).order_by("path")


class ServiceFilterSet(django_filters.FilterSet):
    """The directory, searched by class, department, case category and text."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = choice_filter(_("class"), Service.Kind.choices)
    department = model_choice_filter(_("department"), departments)
    category = choice_filter(_("case category"), CaseCategory.choices, method="by_category")
    status = choice_filter(_("status"), Service.Status.choices)

    class Meta:
        model = Service
        fields = ["q", "kind", "department", "category", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(description__icontains=value)
            | Q(department__name__icontains=value)
        )

    def by_category(self, queryset, name, value):
        return queryset.filter(case_categories__contains=[value])


class ReferralFilterSet(django_filters.FilterSet):
    state = choice_filter(_("state"), Referral.State.choices)
    category = choice_filter(_("case category"), CaseCategory.choices)
    case = id_filter("case")
    service = id_filter("service")

    class Meta:
        model = Referral
        fields = ["state", "category", "case", "service"]


# --- the domestic-violence pathway (rows already scoped by PathwayQuerySet.for_user) ----------


class PathwayFilterSet(django_filters.FilterSet):
    case = id_filter("case")

    class Meta:
        model = WarningLetter
        fields = ["case"]


class FollowUpVisitFilterSet(PathwayFilterSet):
    done = boolean_filter(_("done"), field_name="done_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = FollowUpVisit
        fields = ["case", "done"]


class ProtectionOrderFilterSet(PathwayFilterSet):
    outcome = choice_filter(_("outcome"), ProtectionOrder.Outcome.choices)

    class Meta:
        model = ProtectionOrder
        fields = ["case", "outcome"]


class MandatoryReportFilterSet(PathwayFilterSet):
    reported = boolean_filter(
        _("reported"), field_name="reported_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = MandatoryReport
        fields = ["case", "reported"]


class IncomingReferralFilterSet(django_filters.FilterSet):
    state = choice_filter(_("state"), IncomingReferral.State.choices)
    category = choice_filter(_("case category"), CaseCategory.choices)
    department = model_choice_filter(_("referring department"), departments)

    class Meta:
        model = IncomingReferral
        fields = ["state", "category", "department"]


class YearFilter(django_filters.NumberFilter):
    """A calendar year: a whole number Python's dates can hold."""

    field_class = forms.IntegerField


def year_filter(field_name):
    return YearFilter(
        label=_("year"), field_name=field_name, lookup_expr="year", min_value=1, max_value=9999
    )


def ledger_units(request):
    """Federation units in the user's area that may own a ledger."""
    if request is None:
        return OrgUnit.objects.none()
    return (
        OrgUnit.objects.for_user(request.user)
        .filter(kind__in=["province", "prefecture", "county", "township"])
        .order_by("path")
    )


class ResourceSourceFilterSet(django_filters.FilterSet):
    """The ledger by kind, owning unit and year received."""

    kind = choice_filter(_("kind"), ResourceSource.Kind.choices)
    unit = model_choice_filter(_("owning unit"), ledger_units)
    year = year_filter("received_on")

    class Meta:
        model = ResourceSource
        fields = ["kind", "unit", "year"]


class ResourceEntryFilterSet(django_filters.FilterSet):
    source = id_filter("source")
    kind = choice_filter(_("kind"), ResourceEntry.Kind.choices)
    year = year_filter("entry_date")

    class Meta:
        model = ResourceEntry
        fields = ["source", "kind", "year"]


class ResourceHoursFilterSet(django_filters.FilterSet):
    person_kind = choice_filter(_("kind"), ResourceHours.PersonKind.choices)
    case = django_filters.NumberFilter(widget=forms.HiddenInput, method="by_case")
    service = id_filter("service")
    year = year_filter("worked_on")

    class Meta:
        model = ResourceHours
        fields = ["person_kind", "case", "service", "year"]

    def by_case(self, queryset, name, value):
        """Only a case the reader may open: the filter must not tell who else got hours."""
        return queryset.filter(case=value, case_visible=True)


# --- 联席会议 ---


class JointMeetingFilterSet(django_filters.FilterSet):
    """Meetings by year and by a department present at them or owning one of their decisions."""

    year = django_filters.NumberFilter(
        field_name="held_on", lookup_expr="year", label=_("Year"), min_value=2000, max_value=2100
    )
    department = model_choice_filter(_("department"), departments, method="by_department")

    class Meta:
        model = JointMeeting
        fields = ["year", "department"]

    def by_department(self, queryset, name, value: OrgUnit):
        present = JointMeeting.departments.through.objects.filter(orgunit=value)
        owning = MeetingDecision.objects.filter(owner=value)
        return queryset.filter(
            Q(pk__in=present.values("jointmeeting_id")) | Q(pk__in=owning.values("meeting_id"))
        )


class MeetingDecisionFilterSet(django_filters.FilterSet):
    state = choice_filter(_("state"), MeetingDecision.State.choices)
    owner = id_filter("owner")
    meeting = id_filter("meeting")

    class Meta:
        model = MeetingDecision
        fields = ["state", "owner", "meeting"]
