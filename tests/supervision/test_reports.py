"""Reports by month and by lead unit, computed by hand for a small year on frozen time; a fixed
number of queries; the page and its .xlsx for each role."""

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from openpyxl import load_workbook

from apps.supervision import reports, services
from apps.supervision.models import SupervisionItem
from tests.supervision.conftest import assign, at, inspect

KEYS = reports.KEYS


def figures(**values):
    return [values.get(key, 0) for key in KEYS]


@pytest.fixture
def year_of_items(clock, county, county_admin, dept_liaison, township_a_staff):
    """Assigned on Monday 2026-11-23 (deadline 2026-12-18) unless said; judged on 2026-12-21.

    A dept: closed on time, satisfied, commended.
    B dept: in progress, overdue, blue + yellow slip.
    C township A: fed back late, returned once, closed 基本满意.
    D township A: suspended.
    E dept: stage completed.
    F dept: monthly progress by the 10th, missed.
    G dept: moved to March, never accepted, overdue.
    H dept: moved to 2025 (not counted)."""
    town = county.township_a
    none = {"cooperating_units": []}
    a = assign(county_admin, county, **none)
    services.accept_item(dept_liaison, a)
    services.feed_back(dept_liaison, a, text="完成")
    services.close_item(
        county_admin, a, evaluation="satisfied", commendation="成效明显", commended_by_name="王县长"
    )
    b = assign(county_admin, county, **none)
    services.accept_item(dept_liaison, b)
    services.issue_slip(county_admin, b, colour="blue")
    services.issue_slip(county_admin, b, colour="yellow")
    c = assign(county_admin, county, lead_unit=town, **none)
    services.accept_item(township_a_staff, c)
    d = assign(county_admin, county, lead_unit=town, **none)
    services.accept_item(township_a_staff, d)
    services.request_change(township_a_staff, d, kind="suspension", reason="政策调整")
    services.approve_request(county_admin, d)
    e = assign(county_admin, county, **none)
    services.accept_item(dept_liaison, e)
    services.request_change(dept_liaison, e, kind="stage_completion", reason="一期完成")
    services.approve_request(county_admin, e)
    f = assign(
        county_admin,
        county,
        deadline=date(2027, 3, 31),
        progress_cycle="monthly",
        progress_day=10,
        **none,
    )
    services.accept_item(dept_liaison, f)
    g = assign(county_admin, county, **none)
    SupervisionItem.objects.filter(pk=g.pk).update(assigned_at=at(2026, 3, 5, 9, 0))
    h = assign(county_admin, county, **none)
    SupervisionItem.objects.filter(pk=h.pk).update(
        assigned_at=F("assigned_at") - (at(2026, 11, 23) - at(2025, 6, 1))
    )
    clock.move_to(at(2026, 12, 19, 9, 0))
    services.feed_back(township_a_staff, c, text="完成")
    clock.move_to(at(2026, 12, 20, 9, 0))
    services.return_item(county_admin, c, reason="补充")
    services.feed_back(township_a_staff, c, text="已补充")
    clock.move_to(at(2026, 12, 21, 9, 0))
    services.close_item(county_admin, c, evaluation="basically_satisfied")
    return county


def test_a_report_computed_by_hand(
    year_of_items, county_admin, dept_liaison, django_assert_num_queries
):
    county = year_of_items
    # An inspection of 2026-11-20: the township's rectification (due 11-30) still open, the
    # department's (due 12-18) submitted and verified on 12-21.
    township_fix, department_fix = inspect(county_admin, county).rectifications.order_by("pk")
    services.submit_rectification(dept_liaison, department_fix, text="已明确联络员")
    services.verify_rectification(county_admin, department_fix, comment="现场核实")
    with django_assert_num_queries(6):
        report = reports.item_report(2026)
    months = {row.key: row.values for row in report.months}
    assert months[11] == figures(
        assigned=6,
        open=2,
        overdue=3,
        stage_completed=1,
        closed=2,
        suspended=1,
        returns=1,
        blue=1,
        yellow=1,
        satisfied=1,
        basically_satisfied=1,
        commended=1,
    )
    assert months[3] == figures(assigned=1, open=1, overdue=1)
    assert all(months[m] == figures() for m in range(1, 13) if m not in {3, 11})
    assert report.total.values == figures(
        assigned=7,
        open=3,
        overdue=4,
        stage_completed=1,
        closed=2,
        suspended=1,
        returns=1,
        blue=1,
        yellow=1,
        satisfied=1,
        basically_satisfied=1,
        commended=1,
    )
    units = {row.key.pk: row.values for row in report.units}
    assert units[county.department.pk] == figures(
        assigned=5,
        open=3,
        overdue=3,
        stage_completed=1,
        closed=1,
        blue=1,
        yellow=1,
        satisfied=1,
        commended=1,
    )
    assert units[county.township_a.pk] == figures(
        assigned=2, overdue=1, closed=1, suspended=1, returns=1, basically_satisfied=1
    )
    # Rectifications: found, open, overdue, verified.
    assert dict(report.rectifications) == {
        "甲镇": [1, 1, 1, 0],
        "乙镇": [0, 0, 0, 0],
        "县教育局": [1, 0, 0, 1],
    }
    assert units[county.township_b.pk] == figures()
    # A unit's own rows only; the year before holds H alone.
    mine = reports.item_report(2026, units=[county.township_a])
    assert [row.key for row in mine.units] == [county.township_a]
    assert mine.total.values == units[county.township_a.pk]
    assert reports.item_report(2025).total.figures["assigned"] == 1


def test_the_query_count_does_not_grow(year_of_items, county_admin, django_assert_num_queries):
    for _index in range(10):
        assign(county_admin, year_of_items, deadline=date(2027, 1, 29), cooperating_units=[])
        inspect(county_admin, year_of_items)
    with django_assert_num_queries(6):
        reports.item_report(2026)


@pytest.mark.parametrize("year", ["abc", "", "2027", "1999", None])
def test_a_year_without_a_period_is_refused(clock, year):
    with pytest.raises(ValidationError) as error:
        reports.item_report(year)
    assert "year" in error.value.message_dict


@pytest.mark.parametrize(
    ("role", "status", "units"),
    [
        ("county_admin", 200, {"甲镇", "乙镇", "县教育局"}),
        ("leader", 200, {"甲镇", "乙镇", "县教育局"}),
        ("dept_liaison", 200, {"县教育局"}),
        ("township_a_staff", 200, {"甲镇"}),
        ("village_a1_rep", 403, None),
    ],
)
def test_the_page_by_role(year_of_items, request, client_as, role, status, units):
    user = request.getfixturevalue(role)
    response = client_as(user).get("/supervision/reports/", {"year": 2026})
    assert response.status_code == status
    if units is not None:
        report = response.context["report"]
        assert {row.label for row in report.units} == units


def test_the_export(year_of_items, county_admin, client_as):
    response = client_as(county_admin).get("/supervision/reports/?year=2026&export=xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    by_month, by_unit, rectifications = book.worksheets
    assert {row[0] for row in rectifications.iter_rows(min_row=2, values_only=True)} == {
        "甲镇",
        "乙镇",
        "县教育局",
    }
    rows = list(by_month.iter_rows(values_only=True))
    assert len(rows) == 1 + 12 + 1
    assert list(rows[11][1:]) == figures(
        assigned=6,
        open=2,
        overdue=3,
        stage_completed=1,
        closed=2,
        suspended=1,
        returns=1,
        blue=1,
        yellow=1,
        satisfied=1,
        basically_satisfied=1,
        commended=1,
    )
    names = [row[0] for row in by_unit.iter_rows(min_row=2, values_only=True)]
    assert "县教育局" in names


def test_the_page_says_why_a_year_is_refused(clock, county_admin, client_as):
    response = client_as(county_admin).get("/supervision/reports/", {"year": 1999})
    assert response.status_code == 200
    assert response.context["error"] and "report" not in response.context
