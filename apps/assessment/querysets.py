"""Who may open which assessment record (DESIGN, "Who may see what").

- Schemes: county staff and leaders those in their area; everyone below reads the schemes of the
  units above them (the rules they are scored by).
- Results and their breakdown: county staff and leaders all in their area; a township's staff or
  a department's liaison the results of their own unit; a village representative her own
  person results; nobody else's.
"""

from django.db.models import Q

from apps.core.querysets import CountyWideQuerySet, ScopedQuerySet
from apps.core.roles import Role

OVERSEERS = (Role.COUNTY_ADMIN, Role.LEADER)


class SchemeQuerySet(CountyWideQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return (self.in_area(user) | self.visible_from_below(user)).distinct()


class SchemeRowQuerySet(ScopedQuerySet):
    """Manual scores: county staff in their area; a unit its own."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_role(*OVERSEERS):
            return self.in_area(user)
        return self.filter(unit__in=_own_units(user), person=None)


class ResultQuerySet(ScopedQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_role(*OVERSEERS):
            return self.in_area(user)
        own = Q(unit__in=_own_units(user), person=None)
        if user.has_role(Role.VILLAGE_REP):
            own |= Q(person=user, scheme__level="person")
        return self.filter(own)

    def with_details(self):
        return self.select_related("scheme", "scheme__period", "unit", "person")


def _own_units(user):
    return [
        membership.unit_id
        for membership in user.active_memberships
        if membership.role in (Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)
    ]
