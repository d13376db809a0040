from django.db.models import Q

from apps.core.querysets import ScopedQuerySet
from apps.core.roles import Role


class RepresentativeQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_details(self):
        return self.select_related("unit__parent", "user")


class ContactQuerySet(ScopedQuerySet):
    def with_details(self):
        return self.select_related("unit", "representative")


class CaseQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """The subtree rule, and on top of it: a sensitive case is seen only by its
        representative, the staff of units it was escalated to, and county staff."""
        scoped = super().for_user(user)
        if not user.is_authenticated or user.is_superuser:
            return scoped
        if user.has_role(Role.COUNTY_ADMIN):
            return scoped
        escalated_to_me = [
            membership.unit_id
            for membership in user.active_memberships
            if membership.role == Role.TOWNSHIP_STAFF
        ]
        return scoped.filter(
            Q(is_sensitive=False)
            | Q(representative__user=user)
            | Q(escalation_units__overlap=escalated_to_me or [0])
        )

    def with_details(self):
        return self.select_related("unit__parent", "representative", "contact", "escalated_to")

    def open(self):
        return self.exclude(state__in=["resolved", "closed"])
