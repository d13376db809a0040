import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.filters import (
    boolean_filter,
    choice_filter,
    model_choice_filter,
    parent_units_in_scope,
)
from apps.organizations.models import OrgUnit, Period


class OrgUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = choice_filter(_("kind"), OrgUnit.Kind.choices)
    # A choice of the units in the user's area that have sub-units, not a number box.
    parent = model_choice_filter(_("parent unit"), parent_units_in_scope)

    class Meta:
        model = OrgUnit
        fields = ["q", "kind", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class PeriodFilterSet(django_filters.FilterSet):
    kind = choice_filter(_("kind"), Period.Kind.choices)
    is_closed = boolean_filter(_("closed"))

    class Meta:
        model = Period
        fields = ["kind", "is_closed"]
