"""The pages: referring from the case page, the department's desk, the directory."""

from apps.coordination.models import Referral, Service


def test_village_refers_and_the_department_answers_on_its_pages(
    client_as, village_a1_rep, dept_liaison, case_a1, school_aid, police_help
):
    rep = client_as(village_a1_rep)
    page = rep.get(case_a1.get_absolute_url()).content.decode()
    url = f"/coordination/referrals/new/?case={case_a1.pk}"
    assert url in page
    form = rep.get(url).content.decode()
    # Suggested by the case's category: the police service does not take children's cases.
    assert school_aid.name in form and police_help.name not in form
    response = rep.post(url, {"service": school_aid.pk})
    assert response.status_code == 200 and not Referral.objects.exists()
    response = rep.post(
        url, {"service": school_aid.pk, "consent": "on", "consent_method": "verbal"}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()

    desk = client_as(dept_liaison)
    assert referral.get_absolute_url() in desk.get("/coordination/referrals/").content.decode()
    desk.post(referral.get_absolute_url(), {"action": "accept"})
    response = desk.post(referral.get_absolute_url(), {"action": "complete", "outcome": ""})
    assert response.status_code == 200
    desk.post(referral.get_absolute_url(), {"action": "complete", "outcome": "已资助"})
    referral.refresh_from_db()
    assert referral.state == "completed"
    # One test client: sign the representative in again to read her case.
    page = client_as(village_a1_rep).get(case_a1.get_absolute_url()).content.decode()
    assert "已资助" in page


def test_a_case_outside_the_area_cannot_be_referred(client_as, village_b1_rep, case_a1):
    response = client_as(village_b1_rep).get(f"/coordination/referrals/new/?case={case_a1.pk}")
    assert response.status_code == 404


def test_the_liaison_adds_and_edits_her_services(client_as, dept_liaison, county, school_aid):
    client = client_as(dept_liaison)
    body = {
        "department": county.department.pk,
        "name": "课后托管",
        "kind": "people",
        "description": "留守儿童课后托管",
        "case_categories": ["children"],
        "status": "active",
    }
    assert client.post("/coordination/services/new/", body).status_code == 302
    assert Service.objects.filter(name="课后托管", verified_by=dept_liaison).exists()
    edit = f"/coordination/services/{school_aid.pk}/edit/"
    assert client.post(edit, body | {"status": "paused"}).status_code == 302
    school_aid.refresh_from_db()
    assert school_aid.status == "paused"
    assert "课后托管" in client.get("/coordination/services/?category=children").content.decode()
