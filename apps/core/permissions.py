"""Who may change what: reading is for every signed-in user (scoping decides which rows),
writing needs one of the view's ``write_roles``. Leaders are in no view's write roles except
where they have a step of their own (approving rewards)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.core.querysets import covers
from apps.core.roles import Role

STAFF_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


# Every role that does work of its own; leaders read (their one step, approving rewards, is
# a service's own check).
WORKING_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP, Role.DEPT_LIAISON)
DEFAULT_WRITE_ROLES = (Role.COUNTY_ADMIN,)


def is_staff_over(user, unit):
    """Federation staff (county or township) whose area includes ``unit``."""
    return user.is_authenticated and user.has_role(*STAFF_ROLES) and covers(user, unit)


def works_in(user, unit):
    """The user does work (not only reads, as a leader) in ``unit`` itself."""
    return user.is_authenticated and any(
        membership.unit_id == unit.pk and membership.role in WORKING_ROLES
        for membership in user.active_memberships
    )


def can_write(user, write_roles):
    return user.is_authenticated and user.has_role(*write_roles)


def may_send(user, method, view):
    """The one rule for pages and API alike: reading is for every signed-in user, any other
    method needs one of the view's ``write_roles``."""
    if not user.is_authenticated:
        return False
    if method in SAFE_METHODS:
        return True
    return can_write(user, getattr(view, "write_roles", DEFAULT_WRITE_ROLES))


def may_request(user, method, view):
    """``may_send`` for pages: a page that exists only to write (a form) is judged as the write
    it leads to, whatever the method; a page that reads (no ``write_roles``, or
    ``read_by_all``) is open to every signed-in user for reading."""
    if not getattr(view, "read_by_all", True):
        method = "POST"
    return may_send(user, method, view)


class RoleWritePermission(BasePermission):
    def has_permission(self, request, view):
        return may_send(request.user, request.method, view)
