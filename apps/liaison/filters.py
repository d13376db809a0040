import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.filters import boolean_filter, choice_filter, id_filter, unit_filter
from apps.liaison.models import Case, Contact, Representative, Risk, Sector, Visit


class RepresentativeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = choice_filter(_("sector"), Sector.choices)
    unit = unit_filter(_("village"))
    is_active = boolean_filter(_("active"))

    class Meta:
        model = Representative
        fields = ["q", "unit", "sector", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(full_name__icontains=value) | Q(number__startswith=value))


class ContactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    risk = choice_filter(_("risk colour"), Risk.choices)
    representative = id_filter("representative")
    unit = unit_filter(_("village"))

    class Meta:
        model = Contact
        fields = ["q", "risk", "representative", "unit"]


class VisitFilterSet(django_filters.FilterSet):
    representative = id_filter("representative")
    mode = choice_filter(_("mode"), Visit.Mode.choices)
    visited_on__gte = django_filters.DateFilter(
        label=_("visited from"), field_name="visited_on", lookup_expr="gte"
    )
    visited_on__lte = django_filters.DateFilter(
        label=_("visited until"), field_name="visited_on", lookup_expr="lte"
    )

    class Meta:
        model = Visit
        fields = ["mode", "visited_on__gte", "visited_on__lte", "representative"]


class CaseFilterSet(django_filters.FilterSet):
    state = choice_filter(_("state"), Case.State.choices)
    category = choice_filter(_("category"), Case.Category.choices)
    is_sensitive = boolean_filter(_("sensitive"))
    representative = id_filter("representative")

    class Meta:
        model = Case
        fields = ["state", "category", "is_sensitive", "representative"]
