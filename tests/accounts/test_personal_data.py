"""/api/v1/users/: full numbers and e-mail addresses for the staff who manage a person, masked
for everyone else, and searching by phone matches only numbers the caller may read."""

import pytest

PHONE = "13812345678"
MASKED = "138****5678"
EMAIL = "li.hua@qingxi.example"
MASKED_EMAIL = "l***@qingxi.example"


@pytest.fixture
def rep_with_phone(village_a1_rep):
    village_a1_rep.phone = PHONE
    village_a1_rep.email = EMAIL
    village_a1_rep.save()
    return village_a1_rep


def phone_in_list(client, user):
    rows = client.get("/api/v1/users/", {"page_size": 500}).json()["results"]
    return {row["id"]: row["phone"] for row in rows}.get(user.pk)


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("county_admin", PHONE),
        ("township_a_staff", PHONE),
        ("leader", MASKED),
    ],
)
def test_users_list_shows_phone_by_role(request, api_as, rep_with_phone, viewer, expected):
    client = api_as(request.getfixturevalue(viewer))
    assert phone_in_list(client, rep_with_phone) == expected
    detail = client.get(f"/api/v1/users/{rep_with_phone.pk}/").json()
    assert detail["phone"] == expected


def test_village_rep_sees_a_colleague_masked_and_herself_in_full(api_as, county, rep_with_phone):
    from apps.core.roles import Role
    from tests.conftest import make_user

    colleague = make_user("colleague_a1", Role.VILLAGE_REP, county.village_a1)
    client = api_as(colleague)
    assert phone_in_list(client, rep_with_phone) == MASKED
    assert api_as(rep_with_phone).get("/api/v1/users/me/").json()["phone"] == PHONE


def test_dept_liaison_sees_no_village_people(api_as, dept_liaison, rep_with_phone):
    assert phone_in_list(api_as(dept_liaison), rep_with_phone) is None


@pytest.mark.parametrize(
    ("viewer", "found"),
    [("county_admin", True), ("township_a_staff", True), ("leader", False)],
)
def test_phone_search_matches_only_readable_numbers(request, api_as, rep_with_phone, viewer, found):
    client = api_as(request.getfixturevalue(viewer))
    ids = [row["id"] for row in client.get("/api/v1/users/", {"q": "12345678"}).json()["results"]]
    assert (rep_with_phone.pk in ids) is found


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("county_admin", EMAIL), ("township_a_staff", EMAIL), ("leader", MASKED_EMAIL)],
)
def test_email_follows_the_phone_rule(request, api_as, rep_with_phone, viewer, expected):
    client = api_as(request.getfixturevalue(viewer))
    assert client.get(f"/api/v1/users/{rep_with_phone.pk}/").json()["email"] == expected
    assert api_as(rep_with_phone).get("/api/v1/users/me/").json()["email"] == EMAIL


def test_a_colleague_sees_the_email_masked(api_as, county, rep_with_phone):
    from apps.core.roles import Role
    from tests.conftest import make_user

    colleague = make_user("colleague_a1", Role.VILLAGE_REP, county.village_a1)
    rows = api_as(colleague).get("/api/v1/users/", {"page_size": 500}).json()["results"]
    assert {row["id"]: row["email"] for row in rows}[rep_with_phone.pk] == MASKED_EMAIL
