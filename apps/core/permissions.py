"""Who may change what: reading is for every signed-in user (scoping decides which rows),
writing needs one of the view's ``write_roles``. Leaders are in no view's write roles except
where they have a step of their own (approving rewards)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.core.querysets import covers
from apps.core.roles import Role

STAFF_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


def is_staff_over(user, unit):
    """Federation staff (county or township) whose area includes ``unit``."""
    return user.is_authenticated and user.has_role(*STAFF_ROLES) and covers(user, unit)


def can_write(user, write_roles):
    return user.is_authenticated and user.has_role(*write_roles)


class RoleWritePermission(BasePermission):
    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        return can_write(request.user, getattr(view, "write_roles", (Role.COUNTY_ADMIN,)))
