"""Other people's full mobile numbers: for themselves and the staff who manage them only."""

import pytest
from django.template import Context, Template

from apps.core.personal_data import mask_phone, may_see_phone, phone_for
from apps.core.roles import Role
from tests.conftest import make_user

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def person_in_a1(county):
    """Another village representative of village A1, with a phone number."""
    person = make_user("another_a1_rep", Role.VILLAGE_REP, county.village_a1)
    person.phone = PHONE
    person.save()
    return person


@pytest.mark.parametrize(
    ("viewer", "sees_in_full"),
    [
        ("county_admin", True),
        ("township_a_staff", True),
        ("village_a1_rep", False),
        ("dept_liaison", False),
        ("leader", False),
    ],
)
def test_full_number_only_for_the_staff_who_manage_her(request, person_in_a1, viewer, sees_in_full):
    viewer = request.getfixturevalue(viewer)
    assert may_see_phone(viewer, person_in_a1) is sees_in_full
    assert phone_for(viewer, person_in_a1) == (PHONE if sees_in_full else MASKED)


def test_township_staff_see_only_people_of_their_township(county, person_in_a1):
    staff_b = make_user("township_b_staff", Role.TOWNSHIP_STAFF, county.township_b)
    assert phone_for(staff_b, person_in_a1) == MASKED


def test_a_user_always_sees_her_own_number(person_in_a1):
    assert phone_for(person_in_a1, person_in_a1) == PHONE


def test_managing_role_counts_only_in_its_own_unit(county, person_in_a1):
    """A village rep of A1 who is also township staff of B does not manage people of A1."""
    viewer = make_user("two_hats", Role.VILLAGE_REP, county.village_a1)
    viewer.memberships.create(role=Role.TOWNSHIP_STAFF, unit=county.township_b)
    assert phone_for(viewer, person_in_a1) == MASKED


def test_mask_keeps_prefix_and_last_four():
    assert mask_phone(PHONE) == MASKED
    assert mask_phone("12345") == "****"
    assert mask_phone("") == ""


def test_template_filter_applies_the_same_rule(leader, county_admin, person_in_a1):
    template = Template("{% load personal_data %}{{ person|phone_for:user }}")
    assert template.render(Context({"person": person_in_a1, "user": leader})) == MASKED
    assert template.render(Context({"person": person_in_a1, "user": county_admin})) == PHONE
