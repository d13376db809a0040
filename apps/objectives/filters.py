import django_filters
from django.utils.translation import gettext_lazy as _

from apps.core.filters import id_filter, units_in_scope
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
    plan = id_filter("plan")
    parent = id_filter("parent")
    assignee_unit = django_filters.ModelChoiceFilter(
        label=_("responsible unit"), queryset=units_in_scope
    )

    class Meta:
        model = Objective
        fields = ["q", "plan", "category", "parent", "assignee_unit", "depth", "leaf"]


class ProgressReportFilterSet(django_filters.FilterSet):
    plan = id_filter("objective__plan")
    objective = id_filter("objective")

    class Meta:
        model = ProgressReport
        fields = ["plan", "objective", "status", "is_late"]


class InnovationItemFilterSet(django_filters.FilterSet):
    plan = id_filter("plan")
    unit = django_filters.ModelChoiceFilter(label=_("unit"), queryset=units_in_scope)

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
