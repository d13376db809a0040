import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Membership, User
from apps.core.filters import choice_filter, request_user
from apps.core.personal_data import managed_q
from apps.core.roles import Role


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = choice_filter(_("role"), Role.choices, field_name="memberships__role", distinct=True)

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        # The phone is matched only where the user may read it in full (herself, her staff).
        user = request_user(self.request)
        readable_phone = Q(pk=user.pk, phone__contains=value) | Q(
            pk__in=Membership.objects.filter(
                managed_q(user, "unit"), user__phone__contains=value
            ).values("user")
        )
        return queryset.filter(
            Q(username__icontains=value) | Q(full_name__icontains=value) | readable_phone
        )
