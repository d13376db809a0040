"""Department responsiveness per period: the figures computed by hand for a small year of
referrals, what each role may read on the page and through the API, and a fixed number of
queries whatever the number of departments."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.coordination import services
from apps.coordination.models import Referral
from apps.organizations.models import OrgUnit, Period
from tests.conftest import make_unit
from tests.coordination.conftest import make_service

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZONE)


def at(month, day, hour=9, year=2026):
    return datetime(year, month, day, hour, 0, tzinfo=ZONE)


def make_referral(case, service, sent, accept_due=None, **values):
    """A referral as it stands after its history, with the times set by hand."""
    return Referral.objects.create(
        unit=case.unit,
        case=case,
        service=service,
        department=service.department,
        category=case.category,
        referred_by=case.representative.user,
        consent=True,
        consent_method="verbal",
        sent_at=sent,
        accept_due=accept_due or sent + timedelta(days=2),
        **values,
    )


@pytest.fixture
def year(db):
    return Period.objects.create(
        name="2026年度", kind="year", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )


@pytest.fixture
def first_quarter(db):
    return Period.objects.create(
        name="2026年第1季度",
        kind="quarter",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 3, 31),
    )


@pytest.fixture
def history(case_a1, school_aid, police_help):
    """县教育局's year: three accepted (after 1, 3.5 and 2 days; the second late), two of
    them completed (after 10 and 20 days; the second late), two declined, one still waiting
    past its deadline, and one sent the year before. 县公安局 received nothing."""
    done = "completed"
    make_referral(
        case_a1,
        school_aid,
        at(1, 5),
        state=done,
        accepted_at=at(1, 6),
        complete_due=at(1, 27),
        completed_at=at(1, 16),
        outcome="已资助",
        satisfaction="satisfied",
    )
    make_referral(
        case_a1,
        school_aid,
        at(2, 2),
        state=done,
        accepted_at=at(2, 5, 21),
        complete_due=at(2, 20, 21),
        completed_at=at(2, 25, 21),
        outcome="已资助",
        satisfaction="partly",
    )
    make_referral(
        case_a1,
        school_aid,
        at(3, 2),
        state="in_progress",
        accepted_at=at(3, 4),
        complete_due=at(12, 31),
    )
    make_referral(
        case_a1,
        school_aid,
        at(4, 1),
        state="declined",
        declined_at=at(4, 2),
        reason="不符合资助条件",
    )
    make_referral(
        case_a1,
        school_aid,
        at(5, 1),
        state="declined",
        declined_at=at(5, 3),
        reason="已在其他部门办理",
    )
    make_referral(case_a1, school_aid, at(6, 1))
    make_referral(
        case_a1,
        school_aid,
        at(12, 30, year=2025),
        state=done,
        accepted_at=at(12, 31, year=2025),
        completed_at=at(1, 2),
        complete_due=at(1, 20),
        outcome="x",
    )


def row_of(rows, department):
    return next(row for row in rows if row["department"] == department.pk)


def test_the_figures_of_a_year_computed_by_hand(history, year, county, police):
    rows = services.responsiveness(year, now=NOW)
    assert [row["department_name"] for row in rows] == ["县教育局", "县公安局"]
    assert row_of(rows, county.department) == {
        "department": county.department.pk,
        "department_name": "县教育局",
        "received": 6,
        "accepted": 3,
        "accepted_on_time": 2,  # after 1 and 2 days; 3.5 days was late
        "completed": 2,
        "completed_on_time": 1,
        "declined": 2,
        "overdue": 1,  # sent on 1 June and never accepted
        # Sorted 1, 2, 3.5: the middle one.
        "median_days_to_accept": 2.0,
        # 10 and 20: percentile_cont interpolates halfway.
        "median_days_to_complete": 15.0,
        "satisfied": 1,
        "partly": 1,
        "dissatisfied": 0,
        "rated": 2,
        "satisfaction_rate": 100,
        "decline_reasons": ["已在其他部门办理", "不符合资助条件"],
    }
    police_row = row_of(rows, police)
    assert police_row["received"] == 0
    assert police_row["median_days_to_accept"] is None
    assert police_row["satisfaction_rate"] is None
    assert police_row["decline_reasons"] == []


def test_a_quarter_counts_the_referrals_sent_in_it(history, first_quarter, county):
    row = row_of(services.responsiveness(first_quarter, now=NOW), county.department)
    assert (row["received"], row["declined"], row["overdue"]) == (3, 0, 0)
    assert (row["median_days_to_accept"], row["median_days_to_complete"]) == (2.0, 15.0)


def test_a_period_ends_with_its_last_day(case_a1, school_aid, first_quarter, county):
    make_referral(case_a1, school_aid, at(3, 31, 23))  # late on the last evening
    make_referral(case_a1, school_aid, at(4, 1, 0))  # just after midnight
    row = row_of(services.responsiveness(first_quarter, now=NOW), county.department)
    assert row["received"] == 1


def test_dissatisfied_women_lower_the_rate(case_a1, school_aid, year, county):
    for satisfaction in ("satisfied", "dissatisfied", "dissatisfied", "partly"):
        make_referral(
            case_a1,
            school_aid,
            at(7, 1),
            state="completed",
            accepted_at=at(7, 2),
            completed_at=at(7, 3),
            complete_due=at(7, 20),
            satisfaction=satisfaction,
        )
    row = row_of(services.responsiveness(year, now=NOW), county.department)
    assert (row["rated"], row["dissatisfied"], row["satisfaction_rate"]) == (4, 2, 50)


def test_only_the_departments_asked_for(history, year, county, police):
    rows = services.responsiveness(year, OrgUnit.objects.filter(pk=police.pk), now=NOW)
    assert [row["department"] for row in rows] == [police.pk]


def test_leaders_read_no_reasons(history, year, county):
    row = row_of(services.responsiveness(year, with_reasons=False, now=NOW), county.department)
    assert row["declined"] == 2 and row["decline_reasons"] == []


# --- who reads what ---------------------------------------------------------------------------

READERS = {
    "county_admin": ({"县教育局", "县公安局"}, True),
    "leader": ({"县教育局", "县公安局"}, False),
    "dept_liaison": ({"县教育局"}, True),
    "police_liaison": ({"县公安局"}, True),
}


@pytest.mark.parametrize("persona", list(READERS))
def test_each_reader_on_the_api(request, history, year, api_as, persona):
    names, reasons = READERS[persona]
    response = api_as(request.getfixturevalue(persona)).get(
        "/api/v1/referrals/responsiveness/", {"period": year.pk}
    )
    assert response.status_code == 200
    rows = response.json()
    assert {row["department_name"] for row in rows} == names
    shown = {reason for row in rows for reason in row["decline_reasons"]}
    assert bool(shown) == (reasons and "县教育局" in names)


@pytest.mark.parametrize("persona", list(READERS))
def test_each_reader_on_the_page(request, history, year, client_as, persona):
    names, reasons = READERS[persona]
    client = client_as(request.getfixturevalue(persona))
    html = client.get("/coordination/responsiveness/", {"period": year.pk}).content.decode()
    for name in ("县教育局", "县公安局"):
        assert (name in html) == (name in names)
    assert ("不符合资助条件" in html) == (reasons and "县教育局" in names)
    assert "/coordination/responsiveness/" in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["township_a_staff", "village_a1_rep"])
def test_townships_and_villages_read_none(request, history, year, api_as, client_as, persona):
    user = request.getfixturevalue(persona)
    url = "/api/v1/referrals/responsiveness/"
    assert api_as(user).get(url, {"period": year.pk}).status_code == 403
    assert client_as(user).get("/coordination/responsiveness/").status_code == 403
    assert "/coordination/responsiveness/" not in client_as(user).get("/").content.decode()


def test_signed_out_reads_none(client, api_client, year):
    assert api_client.get("/api/v1/referrals/responsiveness/").status_code in {401, 403}
    assert client.get("/coordination/responsiveness/").status_code == 302


def test_the_period_defaults_to_this_year_and_must_exist(history, api_as, county_admin):
    api = api_as(county_admin)
    url = "/api/v1/referrals/responsiveness/"
    assert api.get(url).status_code == 400  # no year period covers today
    for bad in ("999999", "x", "99999999999999"):
        response = api.get(url, {"period": bad})
        assert response.status_code == 400 and "period" in response.json()
    Period.objects.create(
        name="今年",
        kind="year",
        start_date=date.today().replace(month=1, day=1),
        end_date=date.today().replace(month=12, day=31),
    )
    assert api.get(url).status_code == 200


def test_the_page_defaults_to_this_year(history, client_as, county_admin):
    client = client_as(county_admin)
    assert "县教育局" not in client.get("/coordination/responsiveness/").content.decode()
    today = date.today()
    Period.objects.create(
        name="今年",
        kind="year",
        start_date=today.replace(month=1, day=1),
        end_date=today.replace(month=12, day=31),
    )
    html = client.get("/coordination/responsiveness/").content.decode()
    assert "今年" in html and "县教育局" in html


# --- a fixed number of queries ------------------------------------------------------------------


def grow(county, case, start, count):
    """``count`` more departments, each with a completed and a declined referral."""
    for index in range(start, start + count):
        department = make_unit(f"部门{index}", f"1009{50 + index}", "department", county.county)
        service = make_service(department, name=f"服务{index}")
        make_referral(
            case,
            service,
            at(2, 1),
            state="completed",
            accepted_at=at(2, 2),
            completed_at=at(2, 9),
            complete_due=at(2, 20),
            satisfaction="satisfied",
        )
        make_referral(case, service, at(3, 1), state="declined", declined_at=at(3, 2), reason="r")


# The API: the request's savepoint and its release, her memberships, the period, the one
# aggregate query. The page adds the session, the user, the navigation's and the period
# form's reads.
PINNED = {"/api/v1/referrals/responsiveness/": 5, "/coordination/responsiveness/": 12}


@pytest.mark.parametrize("url", list(PINNED))
def test_query_count_is_pinned(url, county, county_admin, case_a1, year, api_as, client_as):
    def count():
        fresh = User.objects.get(pk=county_admin.pk)
        client = api_as(fresh) if url.startswith("/api/") else client_as(fresh)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"period": year.pk})
        assert response.status_code == 200
        return len(context.captured_queries)

    grow(county, case_a1, 0, 2)
    at_two = count()
    grow(county, case_a1, 2, 15)
    assert (at_two, count()) == (PINNED[url],) * 2
