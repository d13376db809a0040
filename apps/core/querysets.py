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
        if not user.is_authenticated:
            return self.none()
        scope_field = self.model.scope_field
        if user.is_superuser or scope_field is None:
            return self
        paths = user.scope_paths
        if not paths:
            return self.none()
        lookup = f"{scope_field}__path__startswith" if scope_field else "path__startswith"
        return self.filter(reduce(or_, (Q(**{lookup: path}) for path in paths)))
