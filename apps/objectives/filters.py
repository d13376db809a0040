import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.filters import (
    boolean_filter,
    choice_filter,
    for_user_choices,
    id_filter,
    model_choice_filter,
    unit_filter,
)
from apps.objectives.models import (
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
    UnitScore,
)
from apps.organizations.models import Period


def plan_filter():
    return model_choice_filter(_("plan"), for_user_choices(ObjectivePlan))


class ObjectivePlanFilterSet(django_filters.FilterSet):
    period = model_choice_filter(_("period"), for_user_choices(Period))
    status = choice_filter(_("status"), ObjectivePlan.Status.choices)

    class Meta:
        model = ObjectivePlan
        fields = ["period", "status"]


class ObjectiveFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    leaf = boolean_filter(
        _("Leaves only"), field_name="children", lookup_expr="isnull", distinct=True
    )
    plan = id_filter("plan")
    category = choice_filter(_("category"), Objective.Category.choices)
    parent = id_filter("parent")
    assignee_unit = unit_filter(_("responsible unit"))
    depth = django_filters.NumberFilter(label=_("depth"), widget=forms.HiddenInput)

    class Meta:
        model = Objective
        fields = ["q", "plan", "category", "parent", "assignee_unit", "depth", "leaf"]


class ProgressReportFilterSet(django_filters.FilterSet):
    awaiting = choice_filter(
        _("queue"), [("me", _("Awaiting my review"))], method="filter_awaiting"
    )
    plan = id_filter("objective__plan")
    objective = id_filter("objective")
    status = choice_filter(_("status"), ProgressReport.Status.choices)
    is_late = boolean_filter(_("late"))

    class Meta:
        model = ProgressReport
        fields = ["awaiting", "plan", "objective", "status", "is_late"]

    def filter_awaiting(self, queryset, name, value):
        """``awaiting=me``: the reports the signed-in user may approve or return, oldest first."""
        if value != "me" or self.request is None:
            return queryset
        return queryset.awaiting_review_by(self.request.user)


class InnovationItemFilterSet(django_filters.FilterSet):
    plan = id_filter("plan")
    unit = unit_filter(_("unit"))
    status = choice_filter(_("status"), InnovationItem.Status.choices)

    class Meta:
        model = InnovationItem
        fields = ["plan", "unit", "status"]


class UnitScoreFilterSet(django_filters.FilterSet):
    plan = plan_filter()
    level = choice_filter(_("level"), UnitScore.Level.choices)
    grade = choice_filter(_("grade"), UnitScore.Grade.choices)

    class Meta:
        model = UnitScore
        fields = ["plan", "level", "grade"]


class RewardFilterSet(django_filters.FilterSet):
    plan = plan_filter()
    kind = choice_filter(_("award"), Reward.Kind.choices)
    status = choice_filter(_("status"), Reward.Status.choices)

    class Meta:
        model = Reward
        fields = ["plan", "kind", "status"]
