"""Liaison through pages and the API: masking, the access log, scoping and sensitive cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import AccessLog
from apps.liaison import services
from apps.liaison.models import Case, Contact, Visit
from tests.conftest import make_user


@pytest.fixture
def dv_case(village_a1_rep, household_a1):
    return services.open_case(
        village_a1_rep, contact=household_a1, category="violence", description="遭受家暴"
    )


def test_lists_mask_phone_and_address(client_as, api_as, township_a_staff, household_a1):
    page = client_as(township_a_staff).get("/liaison/households/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    row = api_as(township_a_staff).get("/api/v1/contacts/").json()["results"][0]
    assert (row["phone"], row["name"]) == ("138****5678", "张**")


def test_opening_a_household_is_logged(client_as, api_as, township_a_staff, household_a1):
    page = client_as(township_a_staff).get(f"/liaison/households/{household_a1.pk}/")
    assert "13812345678" in page.content.decode()
    api_as(township_a_staff).get(f"/api/v1/contacts/{household_a1.pk}/")
    entries = AccessLog.objects.filter(record_type="liaison.contact", record_id=household_a1.pk)
    assert entries.count() == 2
    assert {entry.user for entry in entries} == {township_a_staff}


def test_only_county_admin_reads_the_access_log(county_admin, township_a_staff, household_a1):
    from apps.core.access_log import record_access

    record_access(township_a_staff, household_a1)
    assert AccessLog.objects.for_user(county_admin).count() == 1
    assert AccessLog.objects.for_user(township_a_staff).count() == 0


@pytest.mark.parametrize(
    ("role", "unit_name"),
    [("township_staff", "township_b"), ("dept_liaison", "department"), ("leader", "county")],
)
def test_dv_case_is_404_for_outsiders_in_pages_and_api(
    client, api_client, county, dv_case, role, unit_name
):
    outsider = make_user(f"outsider_{role}", role, getattr(county, unit_name))
    client.force_login(outsider, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/liaison/cases/{dv_case.pk}/").status_code == 404
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/cases/{dv_case.pk}/").status_code == 404
    assert dv_case.pk not in [
        row["id"] for row in api_client.get("/api/v1/cases/").json()["results"]
    ]


def test_other_township_cannot_list_households_or_visits(
    api_as, county, household_a1, village_a1_rep
):
    services.log_visit(
        village_a1_rep,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[household_a1],
        summary="x",
    )
    other = make_user("b_staff", "township_staff", county.township_b)
    api = api_as(other)
    assert api.get("/api/v1/contacts/").json()["count"] == 0
    assert api.get("/api/v1/visits/").json()["count"] == 0
    assert api.get(f"/api/v1/contacts/{household_a1.pk}/").status_code == 404


def test_visit_with_a_need_through_the_api(api_as, village_a1_rep, household_a1, household_b1):
    api = api_as(village_a1_rep)
    today = timezone.localdate().isoformat()
    response = api.post(
        "/api/v1/visits/",
        {
            "visited_on": today,
            "mode": "home",
            "contacts": [household_a1.pk],
            "summary": "入户",
            "needs_raised": [
                {"contact": household_a1.pk, "category": "employment", "description": "想学电商"}
            ],
        },
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    escalated = api.post(f"/api/v1/cases/{case.pk}/escalate/", {"note": "需乡镇协调"})
    assert escalated.json()["state"] == "escalated"

    # A household of another village is not found at all (the id names nothing) ...
    elsewhere = api.post(
        "/api/v1/visits/",
        {"visited_on": today, "mode": "home", "contacts": [household_b1.pk], "summary": "x"},
    )
    assert elsewhere.status_code == 400
    assert set(elsewhere.json()) == {"contacts"}
    assert "李秀兰" not in elsewhere.content.decode()
    # ... and a visit in the future is refused by the service.
    bad = api.post(
        "/api/v1/visits/",
        {"visited_on": "2999-01-01", "mode": "home", "contacts": [household_a1.pk], "summary": "x"},
    )
    assert bad.status_code == 400
    assert "visited_on" in bad.json()
    assert Visit.objects.count() == 1


def test_case_actions_follow_the_rules_in_the_api(api_as, village_a1_rep, household_a1):
    case = services.open_case(
        village_a1_rep, contact=household_a1, category="hardship", description="x"
    )
    api = api_as(village_a1_rep)
    assert (
        api.post(f"/api/v1/cases/{case.pk}/close/", {"satisfaction": "satisfied"}).status_code
        == 400
    )
    assert api.post(f"/api/v1/cases/{case.pk}/resolve/", {"note": "已发放救助"}).status_code == 200
    closed = api.post(f"/api/v1/cases/{case.pk}/close/", {"satisfaction": "satisfied"})
    assert closed.json()["state"] == "closed"
    follow_up = api.post(f"/api/v1/cases/{case.pk}/follow-up/", {"note": "一月后回访"})
    assert follow_up.status_code == 200
    names = {row["author_name"] for row in follow_up.json()["follow_ups"]}
    assert names == {str(village_a1_rep)}


def test_coverage_api(api_as, township_a_staff, household_a1):
    from apps.organizations.models import Period

    year = timezone.localdate().year
    Period.objects.create(
        name=f"{year}年度", kind="year", start_date=f"{year}-01-01", end_date=f"{year}-12-31"
    )
    rows = api_as(township_a_staff).get("/api/v1/coverage/", {"level": "village"}).json()
    assert rows[0]["linked"] == 1
    bad = api_as(township_a_staff).get("/api/v1/coverage/", {"level": "galaxy"})
    assert bad.status_code == 400
    assert bad.json() == {"level": ["请选择乡镇、村（社区）或执委。"]}


def _grow(county, rep, village_rep, count, start):
    for index in range(start, start + count):
        contact = Contact.objects.create(
            unit=county.village_a1,
            representative=rep,
            name=f"户{index}",
            phone="13800000000",
            risk="yellow",
        )
        services.log_visit(
            village_rep,
            visited_on=timezone.localdate(),
            mode="home",
            contacts=[contact],
            summary="x",
            needs=[{"contact": contact, "category": "hardship", "description": "困难"}],
        )


PAGES = [
    "/liaison/",
    "/liaison/households/",
    "/liaison/cases/",
    "/liaison/representatives/",
    "/liaison/coverage/",
    "/api/v1/contacts/",
    "/api/v1/visits/",
    "/api/v1/cases/",
    "/api/v1/representatives/",
]


@pytest.mark.parametrize("url", PAGES)
def test_query_counts_do_not_grow(url, county, rep_a1, village_a1_rep, township_a_staff, client_as):
    user = village_a1_rep if url == "/liaison/" else township_a_staff
    client = client_as(user)
    _grow(county, rep_a1, village_a1_rep, 10, 0)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, {"page_size": 500}).status_code == 200
        return len(context.captured_queries)

    at_ten = count()
    _grow(county, rep_a1, village_a1_rep, 190, 10)
    assert count() == at_ten
