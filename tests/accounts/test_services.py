"""One way to create a person: her account (no password until an administrator sets one) and
her membership, whether one by hand or many from a roster."""

from apps.accounts.models import Membership
from apps.accounts.services import create_member, create_members
from apps.core.roles import Role


def test_create_member_makes_the_account_and_its_membership(county):
    village = county.village_a1
    account = create_member(
        username="rep-9001",
        full_name="李梅",
        phone="13800000001",
        unit=village,
        role=Role.VILLAGE_REP,
    )
    assert not account.has_usable_password()
    assert (account.full_name, account.phone) == ("李梅", "13800000001")
    assert list(Membership.objects.filter(user=account).values_list("unit", "role")) == [
        (village.pk, Role.VILLAGE_REP)
    ]


def test_create_members_inserts_many_in_a_fixed_number_of_queries(
    county, django_assert_num_queries
):
    villages = [county.village_a1, county.village_a2, county.village_b1]
    people = [
        {"username": f"rep-{n}", "full_name": f"代表{n}", "phone": "", "unit": unit}
        for n, unit in enumerate(villages * 10)
    ]
    with django_assert_num_queries(4):  # savepoint, the accounts, the memberships, release
        accounts = create_members(people, role=Role.VILLAGE_REP)
    assert [account.username for account in accounts] == [p["username"] for p in people]
    assert not any(account.has_usable_password() for account in accounts)
    assert Membership.objects.filter(user__in=accounts, role=Role.VILLAGE_REP).count() == 30
