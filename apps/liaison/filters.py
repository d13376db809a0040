import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.filters import id_filter, units_in_scope
from apps.liaison.models import Case, Contact, Representative, Risk, Sector, Visit


class RepresentativeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = django_filters.ChoiceFilter(label=_("sector"), choices=Sector.choices)
    unit = django_filters.ModelChoiceFilter(label=_("village"), queryset=units_in_scope)

    class Meta:
        model = Representative
        fields = ["q", "unit", "sector", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(full_name__icontains=value) | Q(number__startswith=value))


class ContactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    risk = django_filters.ChoiceFilter(label=_("risk colour"), choices=Risk.choices)
    representative = id_filter("representative")
    unit = django_filters.ModelChoiceFilter(label=_("village"), queryset=units_in_scope)

    class Meta:
        model = Contact
        fields = ["q", "risk", "representative", "unit"]


class VisitFilterSet(django_filters.FilterSet):
    representative = id_filter("representative")

    class Meta:
        model = Visit
        fields = {"mode": ["exact"], "visited_on": ["gte", "lte"]}


class CaseFilterSet(django_filters.FilterSet):
    representative = id_filter("representative")

    class Meta:
        model = Case
        fields = ["state", "category", "is_sensitive", "representative"]
