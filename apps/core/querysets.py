"""The one scoping rule: a user sees rows whose unit lies in the subtrees of their memberships."""

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


class ScopedQuerySet(models.QuerySet):
    """Queryset of a model whose rows belong to an org unit.

    The model names the path to that unit in ``scope_field`` (``"unit"``, ``"case__unit"`` …);
    ``""`` means the row is an org unit itself, and ``None`` marks reference data (periods …) that
    every signed-in user may read.
    """

    def for_user(self, user):
        """The rows ``user`` may open. For most models that is every row in their area; models
        holding personal or sensitive records narrow it further (apps/liaison/querysets.py)."""
        return self.in_area(user)

    def in_area(self, user):
        """Every row whose unit lies in the user's subtrees, whatever its sensitivity: for
        aggregates (counts, coverage) only. Code that shows or lets one open rows uses
        ``for_user``."""
        if not user.is_authenticated:
            return self.none()
        scope_field = self.model.scope_field
        if user.is_superuser or scope_field is None:
            return self
        if not user.scope_paths:
            return self.none()
        return self.filter(self.area_condition(user))

    def area_condition(self, user):
        """``in_area``'s rule for a user with memberships, as one condition to combine with
        others (a model's own ``for_user``)."""
        scope_field = self.model.scope_field
        lookup = f"{scope_field}__path__startswith" if scope_field else "path__startswith"
        return reduce(or_, (Q(**{lookup: path}) for path in user.scope_paths))


def covers(user, unit):
    """The same rule as for_user, for one unit already in hand: no query needed."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(unit.path.startswith(path) for path in user.scope_paths)


def ancestor_paths(paths):
    """Every path on the way down to each of ``paths`` (the units above them, and themselves)."""
    ancestors = set()
    for path in paths:
        parts = path.rstrip("/").split("/")
        ancestors.update("/".join(parts[: depth + 1]) + "/" for depth in range(len(parts)))
    return sorted(ancestors)


class CountyWideQuerySet(ScopedQuerySet):
    """Rows owned by a unit high in the tree that everyone below that unit may read (a county's
    plan, its published rewards), besides the usual subtree rule."""

    def visible_from_below(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            **{f"{self.model.scope_field}__path__in": ancestor_paths(user.scope_paths)}
        )


class AccessLogQuerySet(models.QuerySet):
    def for_user(self, user):
        """Only county federation staff read the access log."""
        from apps.core.roles import Role

        if not user.is_authenticated or not user.has_role(Role.COUNTY_ADMIN):
            return self.none()
        return self
