"""The pages and the API of referrals to the federation, and the letters of referrals to a
department: a department sends, the township accepts or declines; bad input shows a clear
message and writes nothing."""

import pytest

from apps.coordination import services
from apps.coordination.models import IncomingReferral
from apps.liaison.models import Case

FORM = {
    "category": "violence",
    "need": "出警后需妇联跟进",
    "name": "王秀英",
    "phone": "13700001111",
    "consent": "on",
    "consent_method": "written",
}


def test_the_police_send_and_the_township_accepts_on_the_pages(
    client_as, police_liaison, police, county, township_a_staff, rep_a1
):
    desk = client_as(police_liaison)
    body = FORM | {"department": police.pk, "unit": county.township_a.pk}
    response = desk.post("/coordination/incoming/new/", body | {"consent": ""})
    assert response.status_code == 200 and "转介前请记录当事妇女的同意" in response.content.decode()
    assert not IncomingReferral.objects.exists()
    response = desk.post("/coordination/incoming/new/", body)
    referral = IncomingReferral.objects.get()
    assert response.status_code == 302 and response.url == referral.get_absolute_url()

    staff = client_as(township_a_staff)
    assert referral.get_absolute_url() in staff.get("/coordination/incoming/").content.decode()
    response = staff.post(
        referral.get_absolute_url(),
        {"action": "accept", "village": county.village_b1.pk, "representative": rep_a1.pk},
    )
    # Village B1 is not one of township A's: not even offered.
    assert response.status_code == 200 and not Case.objects.exists()
    response = staff.post(
        referral.get_absolute_url(),
        {"action": "accept", "village": county.village_a1.pk, "representative": rep_a1.pk},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == "accepted" and referral.case.representative == rep_a1


def test_the_township_declines_with_a_reason_on_the_page(
    client_as, police_liaison, police, county, township_a_staff
):
    referral = services.refer_to_federation(
        police_liaison,
        department=police,
        unit=county.township_a,
        category="hardship",
        need="n",
        name="王秀英",
        consent=True,
        consent_method="verbal",
    )
    staff = client_as(township_a_staff)
    response = staff.post(referral.get_absolute_url(), {"action": "decline", "reason": ""})
    assert response.status_code == 200 and "请说明退回原因" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == "sent"
    staff.post(referral.get_absolute_url(), {"action": "decline", "reason": "不属本镇"})
    referral.refresh_from_db()
    assert (referral.state, referral.reason) == ("declined", "不属本镇")


@pytest.fixture
def api_body(police, county):
    return {
        "department": police.pk,
        "unit": county.township_a.pk,
        "category": "violence",
        "need": "出警后需妇联跟进",
        "name": "王秀英",
        "phone": "13700001111",
        "village": county.village_a1.pk,
        "consent": True,
        "consent_method": "written",
    }


def test_the_api_sends_accepts_and_declines(
    api_as, api_body, police_liaison, township_a_staff, county, rep_a1
):
    response = api_as(police_liaison).post("/api/v1/incoming-referrals/", api_body, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "sent" and body["is_sensitive"] and body["light"]
    pk = body["id"]
    api = api_as(township_a_staff)
    response = api.post(
        f"/api/v1/incoming-referrals/{pk}/accept/",
        {"village": county.village_a1.pk, "representative": rep_a1.pk},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    response = api.post(
        f"/api/v1/incoming-referrals/{pk}/accept/",
        {"village": county.village_a1.pk, "representative": rep_a1.pk},
        format="json",
    )
    assert response.status_code == 400 and "该转介已签收" in str(response.json())
    assert Case.objects.count() == 1
    response = api.post(f"/api/v1/incoming-referrals/{pk}/decline/", {"reason": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"consent": False}, "consent", "转介前请记录当事妇女的同意"),
        ({"department": "county"}, "department", "只能以本部门名义转介"),
        ({"unit": "village"}, "unit", "请选择县妇联或其下属"),
        ({"village": "b1"}, "village", "请选择接收妇联辖区内的村"),
        ({"need": ""}, "need", ""),
    ],
)
def test_bad_input_through_the_api_writes_nothing(
    api_as, api_body, police_liaison, county, change, field, message
):
    units = {
        "county": county.department.pk,
        "village": county.village_a1.pk,
        "b1": county.village_b1.pk,
    }
    change = {key: units.get(value, value) for key, value in change.items()}
    response = api_as(police_liaison).post(
        "/api/v1/incoming-referrals/", api_body | change, format="json"
    )
    assert response.status_code == 400
    assert field in response.json() and message in str(response.json()[field])
    assert not IncomingReferral.objects.exists()


def test_accept_through_the_api_names_what_is_wrong(
    api_as, api_body, police_liaison, township_a_staff, county, rep_a1, rep_b1
):
    pk = api_as(police_liaison).post("/api/v1/incoming-referrals/", api_body, format="json")
    pk = pk.json()["id"]
    api = api_as(township_a_staff)
    url = f"/api/v1/incoming-referrals/{pk}/accept/"
    outside = api.post(url, {"village": county.village_b1.pk, "representative": rep_a1.pk})
    assert "请选择本辖区内的村（社区）" in str(outside.json()["village"])
    other = api.post(url, {"village": county.village_a1.pk, "representative": rep_b1.pk})
    assert "请选择该村（社区）的执委" in str(other.json()["representative"])
    decline = api.post(f"/api/v1/incoming-referrals/{pk}/decline/", {"reason": ""})
    assert decline.status_code == 400 and "reason" in decline.json()
    assert not Case.objects.exists()
    assert IncomingReferral.objects.get().state == "sent"


# --- the letters of referrals to a department ---------------------------------------------------


@pytest.fixture
def outgoing(village_a1_rep, case_a1, school_aid):
    return services.refer_case(
        village_a1_rep, case_a1, service=school_aid, consent=True, consent_method="written"
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("county_admin", 200),
        ("township_a_staff", 200),
        ("village_a1_rep", 200),
        ("dept_liaison", 200),
        ("leader", 404),
        ("village_b1_rep", 404),
        ("police_liaison", 404),
    ],
)
def test_referral_letters_as_each_role(outgoing, role, status, request, client_as):
    client = client_as(request.getfixturevalue(role))
    assert client.get(f"/coordination/referrals/{outgoing.pk}/letter/").status_code == status
    # No receipt before the department accepts it, for anyone.
    assert client.get(f"/coordination/referrals/{outgoing.pk}/receipt/").status_code == 404


def test_the_letter_carries_only_what_the_referral_shares(
    outgoing, client_as, dept_liaison, village_a1_rep, case_a1
):
    from apps.liaison import services as liaison

    liaison.add_follow_up(village_a1_rep, case_a1, note="丈夫长期酗酒，家中另有隐情")
    text = client_as(dept_liaison).get(f"/coordination/referrals/{outgoing.pk}/letter/")
    text = text.content.decode()
    assert "转介函" in text and outgoing.number in text and "县教育局" in text
    assert "孩子辍学，需资助" in text and "张桂芳 13812345678" in text
    assert "丈夫长期酗酒" not in text and "甲一村三组12号" not in text
    services.accept_referral(dept_liaison, outgoing)
    page = client_as(dept_liaison).get(outgoing.get_absolute_url()).content.decode()
    assert f"/coordination/referrals/{outgoing.pk}/receipt/" in page
    receipt = client_as(dept_liaison).get(f"/coordination/referrals/{outgoing.pk}/receipt/")
    assert "转介接收单" in receipt.content.decode() and "dept_liaison" in receipt.content.decode()


def test_a_letter_without_consent_shares_nothing_of_her(
    county_admin, case_a1, school_aid, client_as, dept_liaison
):
    referral = services.refer_case(
        county_admin, case_a1, service=school_aid, consent=False, override_reason="紧急情况"
    )
    text = client_as(dept_liaison).get(f"/coordination/referrals/{referral.pk}/letter/")
    text = text.content.decode()
    assert "孩子辍学" not in text and "13812345678" not in text and "张桂芳" not in text
