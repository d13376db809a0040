import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.coordination.models import JointMeeting, MeetingDecision, Referral, Service
from apps.core.filters import choice_filter, id_filter, model_choice_filter
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
