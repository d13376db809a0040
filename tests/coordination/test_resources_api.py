"""The resource ledger through the API and its pages: writes through the actions only, bad
input a message per field with nothing written, and pinned query counts for every list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.coordination import services
from apps.coordination.models import ResourceEntry, ResourceHours, ResourceSource

YESTERDAY = (timezone.localdate() - timedelta(days=1)).isoformat()


def source_body(unit, **values):
    return {
        "unit": unit.pk,
        "kind": "funds",
        "name": "专项经费",
        "budget_line": "妇女儿童专项",
        "measure": "yuan",
        "received_on": YESTERDAY,
        "amount": "1000.00",
    } | values


@pytest.fixture
def source(api_as, county, county_admin):
    response = api_as(county_admin).post(
        "/api/v1/resources/", source_body(county.county), format="json"
    )
    assert response.status_code == 201, response.content
    return ResourceSource.objects.get(pk=response.json()["id"])


def test_a_source_is_created_with_its_first_receipt(source, api_as, county_admin):
    body = api_as(county_admin).get(f"/api/v1/resources/{source.pk}/").json()
    assert (body["received"], body["balance"]) == ("1000.00", "1000.00")
    assert "amount" not in body


def test_receive_allocate_and_reverse_are_actions(source, api_as, county_admin, county, case_a1):
    api = api_as(county_admin)
    url = f"/api/v1/resources/{source.pk}"
    response = api.post(
        f"{url}/receive/", {"amount": "200", "received_on": YESTERDAY}, format="json"
    )
    assert response.status_code == 201
    response = api.post(
        f"{url}/allocate/",
        {
            "amount": "300",
            "allocated_on": YESTERDAY,
            "case": case_a1.pk,
            "purpose": "学业资助",
            "approved_by": "县妇联党组",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    line = response.json()
    assert (line["case"], line["village"], line["kind"]) == (
        case_a1.pk,
        county.village_a1.pk,
        "allocation",
    )
    response = api.post(
        f"{url}/reverse/", {"entry": line["id"], "reason": "重复拨付"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["reverses"] == line["id"]
    assert api.get(f"{url}/").json()["balance"] == "1200.00"


def test_ledger_lines_are_never_edited_or_deleted(source, api_as, county_admin):
    api = api_as(county_admin)
    line = source.entries.get()
    assert api.patch(f"/api/v1/resources/{source.pk}/", {"name": "改"}).status_code == 405
    assert api.delete(f"/api/v1/resources/{source.pk}/").status_code == 405
    assert api.delete(f"/api/v1/resource-entries/{line.pk}/").status_code == 405


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"amount": "1000.01", "village": "a1"}, {"amount": ["这个来源只剩 1000.00 元。"]}),
        ({"amount": "-1", "village": "a1"}, {"amount": ["数额必须大于零。"]}),
        ({"amount": "0", "village": "a1"}, {"amount": ["数额必须大于零。"]}),
        ({"amount": "5", "case": "999999"}, {"case": ["个案不存在。"]}),
        ({"amount": "5"}, {"case": ["请只选择一个个案、一个村或一个项目。"]}),
    ],
)
def test_bad_allocations_are_refused_and_write_nothing(
    source, api_as, county_admin, county, body, expected
):
    targets = {"a1": county.village_a1.pk}
    body = {key: targets.get(value, value) for key, value in body.items()}
    body |= {"allocated_on": YESTERDAY, "purpose": "救助", "approved_by": "党组"}
    response = api_as(county_admin).post(
        f"/api/v1/resources/{source.pk}/allocate/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json() == expected
    assert source.entries.count() == 1


def test_a_township_cannot_allocate_to_a_case_it_may_not_open(
    api_as, county, township_a_staff, case_b1, violence_a1
):
    api = api_as(township_a_staff)
    response = api.post("/api/v1/resources/", source_body(county.township_a), format="json")
    pk = response.json()["id"]
    for case in (case_b1, violence_a1):
        response = api.post(
            f"/api/v1/resources/{pk}/allocate/",
            {
                "amount": "5",
                "allocated_on": YESTERDAY,
                "case": case.pk,
                "purpose": "救助",
                "approved_by": "镇妇联",
            },
            format="json",
        )
        assert (response.status_code, response.json()) == (400, {"case": ["个案不存在。"]})
    assert ResourceEntry.objects.count() == 1


def test_bad_reversals_are_refused(source, api_as, county_admin):
    api = api_as(county_admin)
    url = f"/api/v1/resources/{source.pk}/reverse/"
    receipt = source.entries.get()
    response = api.post(url, {"entry": receipt.pk}, format="json")
    assert (response.status_code, response.json()) == (400, {"reason": ["请说明冲正原因。"]})
    reversal = api.post(url, {"entry": receipt.pk, "reason": "退回"}, format="json").json()
    response = api.post(url, {"entry": reversal["id"], "reason": "再冲"}, format="json")
    assert (response.status_code, response.json()) == (400, {"entry": ["冲正记录不能再冲正。"]})
    response = api.post(url, {"entry": 999999, "reason": "x"}, format="json")
    assert response.json() == {"entry": ["这个来源中没有这笔记录。"]}
    assert source.entries.count() == 2


def test_a_township_may_not_open_a_source_for_the_county(api_as, county, township_a_staff):
    response = api_as(township_a_staff).post(
        "/api/v1/resources/", source_body(county.county), format="json"
    )
    assert response.status_code == 400
    assert response.json()["unit"][0].endswith("对象不存在。")
    assert not ResourceSource.objects.exists()


def test_hours_through_the_api(api_as, village_a1_rep, village_b1_rep, case_a1):
    body = {
        "case": case_a1.pk,
        "person": "张律师",
        "person_kind": "lawyer",
        "worked_on": YESTERDAY,
        "hours": "2.5",
    }
    response = api_as(village_a1_rep).post("/api/v1/resource-hours/", body, format="json")
    assert response.status_code == 201, response.content
    response = api_as(village_a1_rep).post(
        "/api/v1/resource-hours/", body | {"hours": "25"}, format="json"
    )
    assert response.status_code == 400
    assert "hours" in response.json()
    response = api_as(village_b1_rep).post("/api/v1/resource-hours/", body, format="json")
    assert (response.status_code, response.json()) == (400, {"case": ["个案不存在。"]})
    assert ResourceHours.objects.count() == 1


def test_pages_run_the_steps(client_as, county_admin, county, source, case_a1):
    client = client_as(county_admin)
    response = client.post(
        f"/coordination/resources/{source.pk}/allocate/",
        {
            "amount": "1500",
            "allocated_on": YESTERDAY,
            "village": county.village_a1.pk,
            "purpose": "救助",
            "approved_by": "党组",
        },
    )
    assert response.status_code == 200
    assert "这个来源只剩 1000.00 元。" in response.content.decode()
    response = client.post(
        f"/coordination/resources/{source.pk}/allocate/",
        {
            "amount": "150",
            "allocated_on": YESTERDAY,
            "case": case_a1.pk,
            "purpose": "救助",
            "approved_by": "党组",
        },
    )
    assert response.status_code == 302
    line = source.entries.get(kind="allocation")
    response = client.post(
        f"/coordination/resources/{source.pk}/reverse/", {"entry": line.pk, "reason": "错"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/coordination/resources/{source.pk}/receive/",
        {"amount": "10", "received_on": YESTERDAY},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.balance == Decimal("1010.00")
    page = client.get(source.get_absolute_url()).content.decode()
    assert f"/liaison/cases/{case_a1.pk}/" in page


def test_the_ledger_exports_to_excel(client_as, county_admin, source):
    response = client_as(county_admin).get("/coordination/resources/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_representative_logs_hours_on_a_page(client_as, village_a1_rep, case_a1):
    client = client_as(village_a1_rep)
    assert client.get(f"/coordination/resource-hours/new/?case={case_a1.pk}").status_code == 200
    response = client.post(
        "/coordination/resource-hours/new/",
        {
            "case": case_a1.pk,
            "person": "王老师",
            "person_kind": "psychologist",
            "worked_on": YESTERDAY,
            "hours": "1",
        },
    )
    assert response.status_code == 302
    assert "王老师" in client.get("/coordination/resource-hours/").content.decode()


# --- query counts ------------------------------------------------------------------------------

# API: the request's savepoint and its release, her memberships, the count, the rows (whether
# she may open each line's case is a subquery of the same query). Pages add the session, the
# user, the navigation's and the filter form's reads; the source page reads the source, the
# hours page its two totals.
PINNED = {
    ("county_admin", "/api/v1/resources/"): 5,
    ("county_admin", "/api/v1/resource-entries/"): 5,
    ("township_a_staff", "/api/v1/resource-entries/"): 5,
    ("county_admin", "/api/v1/resource-hours/"): 5,
    ("village_a1_rep", "/api/v1/resource-hours/"): 5,
    ("dept_liaison", "/api/v1/resource-hours/"): 5,
    ("county_admin", "/coordination/resources/"): 12,
    ("township_a_staff", "/coordination/resources/{source}/"): 12,
    ("village_a1_rep", "/coordination/resource-hours/"): 13,
}


@pytest.fixture
def grow(county, county_admin, village_a1_rep, household_a1, school_aid):
    from apps.liaison import services as liaison

    township_source = services.add_source(
        county_admin,
        unit=county.township_a,
        kind="funds",
        name="镇经费",
        donor="慈善总会",
        measure="yuan",
        received_on=timezone.localdate() - timedelta(days=5),
        amount=Decimal("100000"),
    )

    def _grow(count):
        for index in range(count):
            source = services.add_source(
                county_admin,
                unit=county.county,
                kind="funds",
                name=f"经费{index}",
                budget_line="专项",
                measure="yuan",
                received_on=timezone.localdate() - timedelta(days=5),
                amount=Decimal("1000"),
            )
            case = liaison.open_case(
                village_a1_rep, contact=household_a1, category="children", description="d"
            )
            sensitive = liaison.open_case(
                village_a1_rep, contact=household_a1, category="violence", description="d"
            )
            for target in (source, township_source):
                for on in (case, sensitive):
                    line = services.allocate_resource(
                        county_admin,
                        target,
                        amount=Decimal("1"),
                        allocated_on=timezone.localdate(),
                        case=on,
                        purpose="救助",
                        approved_by="党组",
                    )
                services.reverse_entry(county_admin, target, entry=line, reason="错")
            services.log_hours(
                village_a1_rep,
                case=case,
                person=f"律师{index}",
                person_kind="lawyer",
                worked_on=timezone.localdate(),
                hours=Decimal("1"),
                service=school_aid,
            )
        return township_source

    return _grow


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(("role", "url"), list(PINNED))
def test_query_count_is_pinned(role, url, grow, request, api_as, client_as):
    user = request.getfixturevalue(role)

    def client():
        fresh = User.objects.get(pk=user.pk)
        return api_as(fresh) if url.startswith("/api/") else client_as(fresh)

    township_source = grow(3)
    address = url.format(source=township_source.pk)
    at_three = count_queries(client(), address)
    grow(20)
    assert (at_three, count_queries(client(), address)) == (PINNED[(role, url)],) * 2


def test_hours_are_reversed_through_the_api(api_as, village_a1_rep, leader, case_a1):
    api = api_as(village_a1_rep)
    body = {
        "case": case_a1.pk,
        "person": "张律师",
        "person_kind": "lawyer",
        "worked_on": YESTERDAY,
        "hours": "3",
    }
    row = api.post("/api/v1/resource-hours/", body, format="json").json()
    url = f"/api/v1/resource-hours/{row['id']}/reverse/"
    assert api.post(url, {}, format="json").json() == {"reason": ["请说明冲正原因。"]}
    response = api.post(url, {"reason": "重复登记"}, format="json")
    assert response.status_code == 201
    assert (response.json()["reverses"], response.json()["reason"]) == (row["id"], "重复登记")
    # A leader reads the line, not the case nor the reason that may speak of it.
    seen = {r["id"]: r for r in api_as(leader).get("/api/v1/resource-hours/").json()["results"]}
    assert (seen[response.json()["id"]]["case"], seen[response.json()["id"]]["reason"]) == (
        None,
        "",
    )
    assert api_as(leader).post(url, {"reason": "x"}, format="json").status_code == 403
