import django_filters
from django.utils.translation import gettext_lazy as _

from apps.objectives.models import (
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
    UnitScore,
)


class ObjectivePlanFilterSet(django_filters.FilterSet):
    class Meta:
        model = ObjectivePlan
        fields = ["period", "status"]


class ObjectiveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    leaf = django_filters.BooleanFilter(
        label=_("Leaves only"), field_name="children", lookup_expr="isnull", distinct=True
    )

    class Meta:
        model = Objective
        fields = ["q", "plan", "category", "parent", "assignee_unit", "depth", "leaf"]


class ProgressReportFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(label=_("plan"), field_name="objective__plan")

    class Meta:
        model = ProgressReport
        fields = ["plan", "objective", "status", "is_late"]


class InnovationItemFilterSet(django_filters.FilterSet):
    class Meta:
        model = InnovationItem
        fields = ["plan", "unit", "status"]


class UnitScoreFilterSet(django_filters.FilterSet):
    class Meta:
        model = UnitScore
        fields = ["plan", "level", "grade"]


class RewardFilterSet(django_filters.FilterSet):
    class Meta:
        model = Reward
        fields = ["plan", "kind", "status"]
