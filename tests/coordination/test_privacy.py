"""Who may see which referral, and how much of the woman a department reads, as each of the
five roles (DESIGN, "Who may see what": referrals of her cases / of their cases / all /
addressed to her department / counts only)."""

import pytest

from apps.coordination import services
from apps.coordination.models import Referral
from tests.coordination.conftest import make_service


@pytest.fixture
def referrals(
    county,
    county_admin,
    village_a1_rep,
    village_b1_rep,
    case_a1,
    case_b1,
    violence_a1,
    school_aid,
    police_help,
):
    consented = services.refer_case(
        village_a1_rep, case_a1, service=school_aid, consent=True, consent_method="written"
    )
    b1 = services.refer_case(
        village_b1_rep, case_b1, service=school_aid, consent=True, consent_method="verbal"
    )
    sensitive = services.refer_case(
        village_a1_rep, violence_a1, service=police_help, consent=True, consent_method="verbal"
    )
    return {"a1": consented, "b1": b1, "sensitive": sensitive}


def ids(api, url="/api/v1/referrals/"):
    response = api.get(url)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_each_role_sees_its_own_referrals(
    referrals,
    api_as,
    county_admin,
    township_a_staff,
    village_a1_rep,
    village_b1_rep,
    dept_liaison,
    leader,
):
    a1, b1, sensitive = referrals["a1"].pk, referrals["b1"].pk, referrals["sensitive"].pk
    assert ids(api_as(county_admin)) == {a1, b1, sensitive}
    # The township does not see a sensitive case not escalated to it, nor its referral.
    assert ids(api_as(township_a_staff)) == {a1}
    assert ids(api_as(village_a1_rep)) == {a1, sensitive}
    assert ids(api_as(village_b1_rep)) == {b1}
    # Addressed to her department (education), not the police's sensitive one.
    assert ids(api_as(dept_liaison)) == {a1, b1}
    assert ids(api_as(leader)) == set()


def test_out_of_scope_referrals_are_404(referrals, api_as, dept_liaison, leader, police_liaison):
    sensitive = referrals["sensitive"].pk
    assert api_as(dept_liaison).get(f"/api/v1/referrals/{sensitive}/").status_code == 404
    assert api_as(leader).get(f"/api/v1/referrals/{referrals['a1'].pk}/").status_code == 404
    a1 = referrals["a1"].pk
    # Another department's liaison may answer referrals, but not this one: it does not exist.
    assert api_as(police_liaison).post(f"/api/v1/referrals/{a1}/accept/").status_code == 404


def test_the_department_reads_only_what_the_referral_carries(
    referrals, api_as, dept_liaison, case_a1, household_a1
):
    api = api_as(dept_liaison)
    body = api.get(f"/api/v1/referrals/{referrals['a1'].pk}/").json()
    assert body["category"] == "children"
    assert body["need"] == "孩子辍学，需资助"
    assert body["shared_contact"] == "张桂芳 13812345678"
    assert "甲一村三组12号" not in str(body)  # her address was not shared
    # The case, her household and her other cases stay closed to the department.
    assert api.get(f"/api/v1/cases/{case_a1.pk}/").status_code == 404
    assert api.get(f"/api/v1/contacts/{household_a1.pk}/").status_code == 404
    assert api.get("/api/v1/cases/").json()["results"] == []
    assert api.get("/api/v1/visits/").json()["results"] == []


def test_without_consent_the_department_reads_no_need_and_no_contact(
    api_as, county_admin, dept_liaison, case_a1, school_aid
):
    referral = services.refer_case(
        county_admin, case_a1, service=school_aid, consent=False, override_reason="联系不上本人"
    )
    body = api_as(dept_liaison).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert body["need"] == "" and body["shared_contact"] == ""
    assert "孩子辍学" not in str(body)


def test_the_department_page_shows_no_case_text_without_consent(
    client_as, county_admin, dept_liaison, case_a1, school_aid
):
    referral = services.refer_case(
        county_admin, case_a1, service=school_aid, consent=False, override_reason="联系不上本人"
    )
    html = client_as(dept_liaison).get(referral.get_absolute_url()).content.decode()
    assert "孩子辍学" not in html and "张桂芳" not in html
    assert client_as(dept_liaison).get(case_a1.get_absolute_url()).status_code == 404


def test_the_department_answers_through_the_api(
    referrals, api_as, dept_liaison, village_a1_rep, case_a1
):
    api = api_as(dept_liaison)
    url = f"/api/v1/referrals/{referrals['a1'].pk}/"
    assert api.post(url + "accept/").json()["state"] == "accepted"
    assert api.post(url + "accept/").json()["state"] == "accepted"  # a retry, same answer
    assert api.post(url + "start/").json()["state"] == "in_progress"
    response = api.post(url + "complete/", {"outcome": ""}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()
    done = api.post(url + "complete/", {"outcome": "已资助"}, format="json").json()
    assert done["state"] == "completed" and done["outcome"] == "已资助"
    # The referring side reads the outcome on the case.
    case = api_as(village_a1_rep).get(f"/api/v1/cases/{case_a1.pk}/").json()
    assert case["state"] == "in_progress"
    assert "已资助" in case["follow_ups"][-1]["note"]
    # A representative cannot answer for the department.
    assert api_as(village_a1_rep).post(url + "decline/", {"reason": "x"}).status_code == 403


def test_referring_through_the_api(api_as, village_a1_rep, dept_liaison, case_a1, school_aid):
    body = {"case": case_a1.pk, "service": school_aid.pk, "consent": False}
    response = api_as(village_a1_rep).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400 and "consent" in response.json()
    assert not Referral.objects.exists()
    body |= {"consent": True, "consent_method": "verbal", "note": "请联系"}
    response = api_as(village_a1_rep).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 201, response.json()
    # The department cannot refer, nor name a case it cannot open.
    assert api_as(dept_liaison).post("/api/v1/referrals/", body, format="json").status_code == 403


def test_an_id_outside_the_area_names_nothing(api_as, village_b1_rep, case_a1, school_aid):
    body = {
        "case": case_a1.pk,
        "service": school_aid.pk,
        "consent": True,
        "consent_method": "verbal",
    }
    response = api_as(village_b1_rep).post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400 and "case" in response.json()


def test_everyone_reads_and_searches_the_directory(
    api_as, leader, village_a1_rep, dept_liaison, school_aid, police_help, police
):
    make_service(police, name="暂停的服务", status="paused")
    for user in (leader, village_a1_rep, dept_liaison):
        assert len(api_as(user).get("/api/v1/services/").json()["results"]) == 3
    api = api_as(village_a1_rep)
    assert [r["id"] for r in api.get("/api/v1/services/?category=violence").json()["results"]] == [
        police_help.pk
    ]
    assert len(api.get("/api/v1/services/?kind=legal").json()["results"]) == 1
    assert len(api.get("/api/v1/services/?q=家暴").json()["results"]) == 1
    assert len(api.get(f"/api/v1/services/?department={police.pk}").json()["results"]) == 2


def test_a_liaison_edits_only_her_departments_services(
    api_as, dept_liaison, school_aid, police_help
):
    api = api_as(dept_liaison)
    assert api.patch(f"/api/v1/services/{school_aid.pk}/", {"hours": "工作日"}).status_code == 200
    response = api.patch(f"/api/v1/services/{police_help.pk}/", {"hours": "工作日"})
    assert response.status_code == 403
    police_help.refresh_from_db()
    assert police_help.hours == ""


def test_the_department_has_its_referrals_on_its_to_do_list(
    referrals, api_as, client_as, dept_liaison
):
    items = api_as(dept_liaison).get("/api/v1/todo/").json()
    kinds = (
        [item["kind"] for item in items["results"]]
        if "results" in items
        else [item["kind"] for item in items]
    )
    assert kinds.count("referral") == 2
    html = client_as(dept_liaison).get("/").content.decode()
    assert referrals["a1"].get_absolute_url() in html


def test_the_admin_shows_referrals_to_county_staff_only(
    referrals, client_as, county_admin, dept_liaison
):
    from django.contrib.auth.models import Permission

    from apps.core.models import AccessLog

    rights = Permission.objects.filter(content_type__app_label="coordination")
    for user in (county_admin, dept_liaison):
        user.is_staff = True
        user.save()
        user.user_permissions.set(rights)
    url = f"/admin/coordination/referral/{referrals['sensitive'].pk}/change/"
    assert client_as(dept_liaison).get(url).status_code in {302, 403, 404}
    assert client_as(county_admin).get(url).status_code == 200
    assert AccessLog.objects.filter(user=county_admin, record_id=referrals["sensitive"].pk)
