import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.organizations.models import OrgUnit, Period


class OrgUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=OrgUnit.Kind.choices)
    parent = django_filters.NumberFilter(label=_("parent unit"), field_name="parent_id")

    class Meta:
        model = OrgUnit
        fields = ["q", "kind", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class PeriodFilterSet(django_filters.FilterSet):
    class Meta:
        model = Period
        fields = ["kind", "is_closed"]
