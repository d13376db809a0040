import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.filters import choice_filter
from apps.core.roles import Role


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = choice_filter(_("role"), Role.choices, field_name="memberships__role", distinct=True)

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))
