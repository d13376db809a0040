"""Who may open which referral to the federation, through every door (API, pages, print
pages), as each of the five roles: the sending department its own (state, never the case);
county staff all; township staff those addressed to their township; representatives and
leaders none. Her phone is masked except for the receiving staff; reading her details is
logged."""

import pytest

from apps.coordination import services
from apps.core.models import AccessLog
from apps.core.roles import Role
from tests.conftest import make_user


@pytest.fixture
def township_b_staff(county):
    return make_user("township_b_staff", Role.TOWNSHIP_STAFF, county.township_b)


@pytest.fixture
def incoming(police_liaison, police, county, rep_a1, township_a_staff):
    def send(unit, **values):
        body = {
            "category": "violence",
            "need": "出警后需妇联跟进",
            "name": "王秀英",
            "phone": "13700001111",
            "consent": True,
            "consent_method": "written",
        }
        return services.refer_to_federation(
            police_liaison, department=police, unit=unit, **(body | values)
        )

    to_a = send(county.township_a, village=county.village_a1)
    to_b = send(county.township_b, name="李梅", phone="13900002222")
    to_county = send(county.county, category="hardship", name="赵兰")
    accepted = send(county.township_a, category="hardship", name="孙芳")
    services.accept_incoming_referral(
        township_a_staff, accepted, village=county.village_a1, representative=rep_a1
    )
    accepted.refresh_from_db()
    return {"a": to_a, "b": to_b, "county": to_county, "accepted": accepted}


def ids(api):
    response = api.get("/api/v1/incoming-referrals/")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_each_role_sees_its_own(
    incoming,
    api_as,
    county_admin,
    township_a_staff,
    township_b_staff,
    village_a1_rep,
    police_liaison,
    dept_liaison,
    leader,
):
    everything = {referral.pk for referral in incoming.values()}
    assert ids(api_as(county_admin)) == everything
    assert ids(api_as(township_a_staff)) == {incoming["a"].pk, incoming["accepted"].pk}
    assert ids(api_as(township_b_staff)) == {incoming["b"].pk}
    assert ids(api_as(police_liaison)) == everything
    # Another department sees none of the police's referrals.
    assert ids(api_as(dept_liaison)) == set()
    assert ids(api_as(village_a1_rep)) == set()
    assert ids(api_as(leader)) == set()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("county_admin", 200),
        ("township_a_staff", 200),
        ("police_liaison", 200),
        ("dept_liaison", 404),
        ("village_a1_rep", 404),
        ("leader", 404),
        ("township_b_staff", 404),
    ],
)
def test_every_door_as_each_role(incoming, role, status, request, api_as, client_as):
    user = request.getfixturevalue(role)
    pk = incoming["accepted"].pk
    assert api_as(user).get(f"/api/v1/incoming-referrals/{pk}/").status_code == status
    client = client_as(user)
    for url in (
        f"/coordination/incoming/{pk}/",
        f"/coordination/incoming/{pk}/letter/",
        f"/coordination/incoming/{pk}/receipt/",
    ):
        assert client.get(url).status_code == status, url
    # The list opens for everyone, empty where nothing is theirs.
    page = client.get("/coordination/incoming/")
    assert page.status_code == 200
    assert (f"/coordination/incoming/{pk}/" in page.content.decode()) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("police_liaison", 200),
        ("dept_liaison", 200),
        ("county_admin", 403),
        ("township_a_staff", 403),
        ("village_a1_rep", 403),
        ("leader", 403),
    ],
)
def test_only_department_liaisons_open_the_sending_form(role, status, request, client_as):
    user = request.getfixturevalue(role)
    assert client_as(user).get("/coordination/incoming/new/").status_code == status


def test_the_department_reads_her_state_not_her_case(incoming, api_as, police_liaison):
    accepted = incoming["accepted"]
    body = api_as(police_liaison).get(f"/api/v1/incoming-referrals/{accepted.pk}/").json()
    assert body["state"] == "accepted"
    assert body["unit_name"] == "甲镇" and body["accepted_by"] == "township_a_staff"
    assert body["accepted_at"]
    assert body["name"] == "孙芳"
    assert body["phone"] == "137****1111"
    assert "case" not in body
    assert str(accepted.case_id) not in str(body.get("case", ""))


def test_the_receiving_staff_read_her_phone_and_the_reading_is_logged(
    incoming, api_as, township_a_staff
):
    pk = incoming["a"].pk
    body = api_as(township_a_staff).get(f"/api/v1/incoming-referrals/{pk}/").json()
    assert body["phone"] == "13700001111"
    assert AccessLog.objects.filter(
        user=township_a_staff, record_type="coordination.incomingreferral", record_id=pk
    ).exists()


def test_lists_mask_her_name_and_phone(incoming, api_as, county_admin):
    rows = api_as(county_admin).get("/api/v1/incoming-referrals/").json()["results"]
    row = next(row for row in rows if row["id"] == incoming["a"].pk)
    assert (row["name"], row["phone"]) == ("王**", "137****1111")
    assert not AccessLog.objects.exists()


def test_the_case_link_is_for_the_federation_only(
    incoming, client_as, township_a_staff, police_liaison
):
    accepted = incoming["accepted"]
    case_url = accepted.case.get_absolute_url()
    staff_page = client_as(township_a_staff).get(accepted.get_absolute_url()).content.decode()
    assert case_url in staff_page and "13700001111" in staff_page
    page = client_as(police_liaison).get(accepted.get_absolute_url()).content.decode()
    assert case_url not in page
    assert "137****1111" in page and "13700001111" not in page
    assert "甲镇" in page and 'data-testid="accepted"' in page
    assert AccessLog.objects.filter(user=police_liaison, record_id=accepted.pk).exists()


def test_the_letter_and_the_receipt(incoming, client_as, police_liaison, township_a_staff):
    accepted = incoming["accepted"]
    letter = client_as(police_liaison).get(f"/coordination/incoming/{accepted.pk}/letter/")
    text = letter.content.decode()
    assert "转介函" in text and "县公安局" in text and accepted.number in text
    assert "137****1111" in text and "13700001111" not in text
    assert "@page" in text and "A4" in text
    assert "转出单位（盖章）" in text and "接收单位（盖章）" in text
    receipt = client_as(township_a_staff).get(f"/coordination/incoming/{accepted.pk}/receipt/")
    text = receipt.content.decode()
    assert "转介接收单" in text and "township_a_staff" in text and "13700001111" in text
    # No receipt before it is accepted; no other document.
    waiting = incoming["a"].pk
    assert (
        client_as(township_a_staff).get(f"/coordination/incoming/{waiting}/receipt/").status_code
        == 404
    )
    assert (
        client_as(township_a_staff).get(f"/coordination/incoming/{waiting}/other/").status_code
        == 404
    )
    # The detail page links its documents.
    page = client_as(township_a_staff).get(accepted.get_absolute_url()).content.decode()
    assert f"/coordination/incoming/{accepted.pk}/letter/" in page
    assert f"/coordination/incoming/{accepted.pk}/receipt/" in page
