"""seed_demo builds the demo county once, however often it runs."""

from apps.accounts.models import Membership, User
from apps.organizations.models import OrgUnit, Period


def counts():
    return {kind: OrgUnit.objects.filter(kind=kind).count() for kind in OrgUnit.Kind.values} | {
        "periods": Period.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


def test_seed_demo_builds_a_believable_county_and_is_idempotent(demo_county, seed_demo):
    first = counts()
    assert first["county"] == 1
    assert 18 <= first["township"] <= 25
    assert 280 <= first["village"] <= 320
    assert first["department"] >= 12
    assert first["periods"] == 7
    assert set(User.objects.values_list("username", flat=True)) >= {
        "admin",
        "township",
        "village",
        "dept",
        "leader",
    }

    seed_demo()
    assert counts() == first


def test_every_demo_unit_path_matches_its_parent(demo_county):
    for unit in OrgUnit.objects.select_related("parent"):
        expected = f"{unit.parent.path if unit.parent else ''}{unit.code}/"
        assert unit.path == expected


def test_demo_accounts_hold_their_roles(demo_county):
    demo_usernames = ["admin", "township", "village", "dept", "leader"]
    roles = dict(
        Membership.objects.filter(user__username__in=demo_usernames).values_list(
            "user__username", "role"
        )
    )
    assert roles == {
        "admin": "county_admin",
        "township": "township_staff",
        "village": "village_rep",
        "dept": "dept_liaison",
        "leader": "leader",
    }


def test_every_township_and_village_has_a_chair(demo_county):
    for kind in (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.VILLAGE):
        assert not OrgUnit.objects.filter(kind=kind, memberships__isnull=True).exists()
