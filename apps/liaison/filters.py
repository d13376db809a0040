import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.filters import (
    SearchLoggingMixin,
    boolean_filter,
    choice_filter,
    id_filter,
    request_user,
    unit_filter,
)
from apps.core.personal_data import managed_q
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
        # The phone is matched only where the user may read it in full (herself, her staff).
        user = request_user(self.request)
        readable_phone = managed_q(user, "unit") | Q(user=user.pk)
        return queryset.filter(
            Q(full_name__icontains=value)
            | Q(number__startswith=value)
            | (readable_phone & Q(phone__contains=value))
        )


class ContactFilterSet(SearchLoggingMixin, django_filters.FilterSet):
    """Households: ``q`` searches name, phone and address, which lists show masked, so it
    matches only households the user may open, and every such search is logged."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    risk = choice_filter(_("risk colour"), Risk.choices)
    representative = id_filter("representative")
    unit = unit_filter(_("village"))

    class Meta:
        model = Contact
        fields = ["q", "risk", "representative", "unit"]

    def search(self, queryset, name, value):
        # Composes with the list's own scope: a row the user may not open never matches.
        may_open = Contact.objects.for_user(self.user).values("pk")
        return queryset.filter(
            Q(name__icontains=value) | Q(phone__contains=value) | Q(address__icontains=value),
            pk__in=may_open,
        )


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
