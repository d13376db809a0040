"""Adding one representative by hand: her account, her village membership and her record."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.services import create_member
from apps.core.querysets import covers
from apps.core.roles import Role
from apps.liaison.models import Representative
from apps.organizations.models import OrgUnit


def username_for(number):
    """The sign-in name of a representative's account: stable, unique like her number."""
    return f"rep-{number}"


@transaction.atomic
def add_representative(user, *, unit, number, full_name, **fields):
    """County or township staff add a representative to a village in their area; she gets an
    account without a password until an administrator sets one."""
    if not user.has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF):
        raise PermissionDenied(_("Only federation staff add representatives."))
    if unit.kind != OrgUnit.Kind.VILLAGE or not covers(user, unit):
        raise ValidationError({"unit": _("Choose a village in your area of work.")})
    if User.objects.filter(username=username_for(number)).exists():
        raise ValidationError(
            {
                "number": _("The account %(username)s already exists.")
                % {"username": username_for(number)}
            }
        )
    representative = Representative(unit=unit, number=number, full_name=full_name, **fields)
    representative.full_clean(exclude=["user"])
    representative.user = create_member(
        username=username_for(number),
        full_name=full_name,
        phone=fields.get("phone", ""),
        unit=unit,
        role=Role.VILLAGE_REP,
    )
    representative.save()
    return representative


def representatives_in(villages):
    """Active representatives of ``villages`` (a queryset of org units), by village and name:
    whom a case can be given to (coordination's referrals to the federation)."""
    return (
        Representative.objects.active()
        .filter(unit__in=villages)
        .select_related("unit")
        .order_by("unit__path", "full_name")
    )
