"""The five demo accounts of DESIGN.md, one per role, all with DEMO_PASSWORD."""

from django.conf import settings

from apps.accounts.models import Membership, User
from apps.core.roles import Role
from apps.organizations.demo_county import PERSON_NAMES


def demo_accounts(context):
    """(username, full name, role, unit, is_staff) for each demo account."""
    first_township = context["townships"][0]
    first_village = next(v for v in context["villages"] if v.parent_id == first_township.pk)
    return [
        ("admin", "周慧敏", Role.COUNTY_ADMIN, context["county"], True),
        ("township", "李红梅", Role.TOWNSHIP_STAFF, first_township, False),
        ("village", "王秀英", Role.VILLAGE_REP, first_village, False),
        ("dept", "陈静", Role.DEPT_LIAISON, context["departments"][0], False),
        ("leader", "刘建华", Role.LEADER, context["county"], False),
    ]


def seed_demo_accounts(context, log=print):
    users = {}
    for username, full_name, role, unit, is_staff in demo_accounts(context):
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "email": f"{username}@demo.invalid",
                "is_staff": is_staff,
                "is_superuser": is_staff,
                "is_active": True,
            },
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.exclude(unit=unit, role=role).filter(user=user).delete()
        Membership.objects.get_or_create(user=user, unit=unit, role=role)
        users[username] = user
    log(f"Demo accounts: {', '.join(users)} (password from DEMO_PASSWORD).")
    context["users"] = users


def seed_unit_staff(context, log=print):
    """A federation chair for every township and village, so the demo's reports and reviews
    have real people behind them. They cannot sign in (no password); the demo accounts can."""
    people = [(f"t{unit.code}", Role.TOWNSHIP_STAFF, unit) for unit in context["townships"]] + [
        (f"v{unit.code}", Role.VILLAGE_REP, unit) for unit in context["villages"]
    ]
    User.objects.bulk_create(
        [
            User(username=username, full_name=PERSON_NAMES[index % len(PERSON_NAMES)], password="!")
            for index, (username, _role, _unit) in enumerate(people)
        ],
        ignore_conflicts=True,
    )
    users = User.objects.in_bulk(
        [username for username, _role, _unit in people], field_name="username"
    )
    Membership.objects.bulk_create(
        [Membership(user=users[username], role=role, unit=unit) for username, role, unit in people],
        ignore_conflicts=True,
    )
    chairs = {unit.pk: users[username] for username, _role, unit in people}
    # The demo accounts are the chairs of their own units, and admin speaks for the county.
    for username in ("admin", "township", "village"):
        user = context["users"][username]
        chairs[user.primary_membership.unit_id] = user
    context["chairs"] = chairs
    log(f"Unit staff: {len(people)} township and village chairs.")
