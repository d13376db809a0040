"""Who reads which ledger line and how much of the case behind it, as each of the five roles
and a second representative of the same village: a line against a case is case data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.coordination import services
from apps.core.roles import Role
from apps.liaison import services as liaison
from tests.conftest import make_user
from tests.liaison.conftest import make_representative

YESTERDAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture
def second_a1_rep(county):
    user = make_user("village_a1_rep2", Role.VILLAGE_REP, county.village_a1)
    make_representative(user, county.village_a1, "A1-02")
    return user


@pytest.fixture
def ledger(county, county_admin, village_a1_rep, case_a1, violence_a1, school_aid):
    """The county's funds and township A's, each with an allocation to an ordinary case of
    village A1 and to a sensitive one (not escalated), and hours on both cases."""
    sources, lines = {}, {}
    for key, unit in (("county", county.county), ("township", county.township_a)):
        source = services.add_source(
            county_admin,
            unit=unit,
            kind="funds",
            name=f"{unit.name}经费",
            budget_line="专项",
            measure="yuan",
            received_on=YESTERDAY,
            amount=Decimal("1000"),
        )
        sources[key] = source
        for case_key, case in (("case", case_a1), ("violence", violence_a1)):
            lines[(key, case_key)] = services.allocate_resource(
                county_admin,
                source,
                amount=Decimal("10"),
                allocated_on=YESTERDAY,
                case=case,
                purpose="生活救助",
                approved_by="党组",
            )
    hours = {
        "case": services.log_hours(
            village_a1_rep,
            case=case_a1,
            person="张律师",
            person_kind="lawyer",
            worked_on=YESTERDAY,
            hours=Decimal("2"),
            service=school_aid,
        ),
        "violence": services.log_hours(
            village_a1_rep,
            case=violence_a1,
            person="王老师",
            person_kind="psychologist",
            worked_on=YESTERDAY,
            hours=Decimal("3"),
        ),
    }
    return {"sources": sources, "lines": lines, "hours": hours}


def rows(api, url):
    response = api.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def source_ids(api):
    return {row["id"] for row in rows(api, "/api/v1/resources/")}


def allocations(api):
    """{line id: the case the reader is shown} of every allocation she may read."""
    return {
        row["id"]: (row["case"], row["case_hidden"], row["village_name"])
        for row in rows(api, "/api/v1/resource-entries/?kind=allocation")
    }


def hours_seen(api):
    return {
        row["id"]: (row["case"], row["case_hidden"], row["village_name"])
        for row in rows(api, "/api/v1/resource-hours/")
    }


def test_the_ledger_is_read_by_federation_staff_and_leaders_in_their_area(
    ledger,
    api_as,
    county_admin,
    township_a_staff,
    village_a1_rep,
    second_a1_rep,
    village_b1_rep,
    dept_liaison,
    leader,
):
    county_source, township_source = (ledger["sources"][k].pk for k in ("county", "township"))
    assert source_ids(api_as(county_admin)) == {county_source, township_source}
    assert source_ids(api_as(leader)) == {county_source, township_source}
    assert source_ids(api_as(township_a_staff)) == {township_source}
    for user in (village_a1_rep, second_a1_rep, village_b1_rep, dept_liaison):
        assert source_ids(api_as(user)) == set()
        assert allocations(api_as(user)) == {}


def test_a_case_line_shows_the_case_only_to_who_may_open_it(
    ledger, api_as, county_admin, township_a_staff, leader, case_a1, violence_a1, village_a1_rep
):
    lines = {key: line.pk for key, line in ledger["lines"].items()}
    a1 = "甲一村"
    assert allocations(api_as(county_admin)) == {
        lines[("county", "case")]: (case_a1.pk, False, a1),
        lines[("county", "violence")]: (violence_a1.pk, False, a1),
        lines[("township", "case")]: (case_a1.pk, False, a1),
        lines[("township", "violence")]: (violence_a1.pk, False, a1),
    }
    # Leaders read totals and balances: every line, no case behind any.
    assert set(allocations(api_as(leader)).values()) == {(None, True, a1)}
    # The township reads its own ledger; the sensitive case stays hidden until escalated.
    assert allocations(api_as(township_a_staff)) == {
        lines[("township", "case")]: (case_a1.pk, False, a1),
        lines[("township", "violence")]: (None, True, a1),
    }
    liaison.escalate_case(village_a1_rep, violence_a1)
    assert allocations(api_as(township_a_staff))[lines[("township", "violence")]] == (
        violence_a1.pk,
        False,
        a1,
    )


def test_hours_show_the_case_only_to_who_may_open_it(
    ledger,
    api_as,
    county_admin,
    township_a_staff,
    village_a1_rep,
    second_a1_rep,
    village_b1_rep,
    dept_liaison,
    leader,
    case_a1,
    violence_a1,
):
    on_case, on_violence = ledger["hours"]["case"].pk, ledger["hours"]["violence"].pk
    a1 = "甲一村"
    everything = {on_case: (case_a1.pk, False, a1), on_violence: (violence_a1.pk, False, a1)}
    assert hours_seen(api_as(county_admin)) == everything
    assert hours_seen(api_as(village_a1_rep)) == everything
    assert hours_seen(api_as(township_a_staff)) == {
        on_case: (case_a1.pk, False, a1),
        on_violence: (None, True, a1),
    }
    assert hours_seen(api_as(leader)) == {on_case: (None, True, a1), on_violence: (None, True, a1)}
    # A department liaison: the hours given through her department's services, no case.
    assert hours_seen(api_as(dept_liaison)) == {on_case: (None, True, a1)}
    assert hours_seen(api_as(second_a1_rep)) == {}
    assert hours_seen(api_as(village_b1_rep)) == {}
    # Nobody learns who else got hours by filtering on a case she may not open.
    assert rows(api_as(township_a_staff), f"/api/v1/resource-hours/?case={violence_a1.pk}") == []


def test_totals_by_case_count_only_the_cases_she_may_open(
    ledger, api_as, township_a_staff, leader, case_a1
):
    totals = api_as(township_a_staff).get("/api/v1/resource-hours/totals/?by=case").json()
    assert totals == [{"key": str(case_a1.pk), "hours": "2.0", "entries": 1}]
    assert api_as(leader).get("/api/v1/resource-hours/totals/?by=case").json() == []
    by_kind = api_as(leader).get("/api/v1/resource-hours/totals/?by=person_kind").json()
    assert {row["key"]: row["hours"] for row in by_kind} == {"lawyer": "2.0", "psychologist": "3.0"}


def test_the_case_panel_is_for_who_may_open_the_case(
    ledger,
    county_admin,
    township_a_staff,
    village_a1_rep,
    second_a1_rep,
    dept_liaison,
    leader,
    violence_a1,
):
    panel = services.resources_for_case(village_a1_rep, violence_a1)
    assert panel["allocated"] == [{"kind": "funds", "measure": "元", "amount": Decimal("20.00")}]
    assert panel["total_hours"] == 3
    assert services.resources_for_case(county_admin, violence_a1) is not None
    for user in (township_a_staff, second_a1_rep, dept_liaison, leader):
        assert services.resources_for_case(user, violence_a1) is None


def test_pages_show_a_hidden_case_as_hidden_with_its_village(
    ledger, client_as, township_a_staff, dept_liaison, violence_a1
):
    source = ledger["sources"]["township"]
    page = client_as(township_a_staff).get(source.get_absolute_url()).content.decode()
    assert "个案（已隐藏） · 甲一村" in page
    assert f"/liaison/cases/{violence_a1.pk}/" not in page
    page = client_as(dept_liaison).get("/coordination/resource-hours/").content.decode()
    assert "个案（已隐藏） · 甲一村" in page
    assert "/liaison/cases/" not in page
    assert client_as(dept_liaison).get(source.get_absolute_url()).status_code == 404


def test_the_case_page_shows_its_resources_to_who_may_open_it(
    ledger, client_as, village_a1_rep, county_admin, case_a1
):
    page = client_as(village_a1_rep).get(case_a1.get_absolute_url()).content.decode()
    assert 'data-testid="case-resources"' in page
    assert "20.00 元" in page
    assert "张律师" in page
