"""Minimum necessary personal data (PIPL): who sees other people's full contact details.

The rule: a person's full mobile number and e-mail address are shown to the person herself and
to the federation staff who manage her: county staff for everyone in their county, township staff
for people whose membership or representative unit lies in their township. Everyone else
(village representatives for other people, leaders, department liaisons) sees them masked.
The rule has a Python form for one person in hand (``may_see_contact_details``) and a query form
for searching (``managed_q``); both start from ``managed_paths``.

A *person* is anything with ``phone``, ``person_user_id`` (the account she signs in with) and
``person_units`` (the org units she belongs to): ``User`` and ``Representative``.
"""

from functools import reduce
from operator import or_

from django.db.models import Q

from apps.core.roles import Role

MANAGING_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


def mask_phone(phone):
    """138****1234: enough to tell numbers apart, not enough to call."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def managed_paths(viewer):
    """Path prefixes of the units whose people ``viewer`` manages ("" for everyone)."""
    if not viewer.is_authenticated:
        return []
    if viewer.is_superuser:
        return [""]
    return sorted(
        {
            membership.unit.path
            for membership in viewer.active_memberships
            if membership.role in MANAGING_ROLES
        }
    )


def may_see_contact_details(viewer, person_units):
    """Whether ``viewer`` manages someone who belongs to ``person_units``."""
    paths = managed_paths(viewer)
    return any(unit.path.startswith(path) for unit in person_units for path in paths)


def may_see_phone(viewer, person):
    return viewer.is_authenticated and (
        person.person_user_id == viewer.pk or may_see_contact_details(viewer, person.person_units)
    )


def phone_for(viewer, person):
    """The number as ``viewer`` may read it: in full or masked."""
    return person.phone if may_see_phone(viewer, person) else mask_phone(person.phone)


def mask_email(email):
    """z***@example.cn: the domain tells colleagues apart, the mailbox stays private."""
    if not email:
        return ""
    mailbox, _at, domain = email.rpartition("@")
    return f"{mailbox[:1]}***@{domain}" if mailbox else "***"


def email_for(viewer, person):
    """The address as ``viewer`` may read it, by the same rule as the phone number."""
    return person.email if may_see_phone(viewer, person) else mask_email(person.email)


def managed_q(viewer, unit_field):
    """Rows whose ``unit_field`` lies in the area ``viewer`` manages, as a filter."""
    paths = managed_paths(viewer)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{unit_field}__path__startswith": path}) for path in paths))
