"""The page, its Excel export and its printable report: the numbers of the small world, the
scope of each role, and no text of any case."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from apps.core.navigation import items_for
from apps.liaison.models import Case, Contact

URL = "/dashboards/"


def test_the_page_shows_the_records_numbers(world, county, leader, client_as):
    response = client_as(leader).get(URL, {"period": world.period.pk})
    assert response.status_code == 200
    tables = {table.key: table for table in response.context["tables"]}
    cases = {row["cells"][0]: row["cells"] for row in tables["cases-unit"].rows}
    # Unit, cases, of which sensitive, answered in time, in time (%).
    assert cases["甲镇"][:3] == [
        "甲镇",
        Case.objects.filter(unit__parent=county.township_a).count(),
        Case.objects.filter(unit__parent=county.township_a, is_sensitive=True).count(),
    ]
    assert cases["乙镇"][1] == 1
    coverage = {row["cells"][0]: row["cells"] for row in tables["liaison-unit"].rows}
    assert coverage["乙镇"][1:5] == [1, 1, "100%", 2]
    content = response.content.decode()
    assert 'data-testid="table-cases-unit"' in content
    assert f'href="?period={world.period.pk}&amp;unit={county.township_a.pk}"' in content
    assert 'id="dashboard-data"' in content
    for case in Case.objects.all():
        assert case.description not in content
    for contact in Contact.objects.all():
        assert contact.name not in content


def test_the_page_keeps_the_period_when_drilling_down(world, county, leader, client_as):
    response = client_as(leader).get(
        URL, {"period": world.previous.pk, "unit": county.township_a.pk}
    )
    assert response.status_code == 200
    assert response.context["data"]["period"]["id"] == world.previous.pk
    assert f"?period={world.previous.pk}&amp;unit={county.village_a1.pk}" in (
        response.content.decode()
    )


def test_an_unknown_period_falls_back_with_a_message(world, leader, client_as):
    response = client_as(leader).get(URL, {"period": "nope"})
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]


def test_scope_and_roles(world, county, township_a_staff, village_a1_rep, dept_liaison, client_as):
    assert client_as(township_a_staff).get(URL, {"unit": county.township_b.pk}).status_code == 404
    assert client_as(village_a1_rep).get(URL).status_code == 403
    assert client_as(dept_liaison).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_navigation_offers_the_dashboard_to_those_who_have_one(
    world, leader, county_admin, township_a_staff, village_a1_rep, dept_liaison
):
    def has_it(user):
        return any(item["url"] == URL for item in items_for(user))

    assert has_it(leader) and has_it(county_admin) and has_it(township_a_staff)
    assert not has_it(village_a1_rep) and not has_it(dept_liaison)


def test_export_holds_every_table_of_the_view(world, county, leader, client_as):
    response = client_as(leader).get(URL, {"period": world.period.pk, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    titles = book.sheetnames
    assert len(titles) == len(set(titles)) >= 8
    names = ("Cases by unit", "个案（按单位")
    sheet = next(book[name] for name in titles if name.startswith(names))
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["甲镇"][1] == Case.objects.filter(unit__parent=county.township_a).count()


def test_export_neutralises_cells_that_look_like_formulas(world, county, leader, client_as):
    county.township_b.name = '=HYPERLINK("http://evil","x")'
    county.township_b.save()
    response = client_as(leader).get(URL, {"period": world.period.pk, "export": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    values = [
        cell.value for sheet in book for row in sheet.iter_rows() for cell in row if cell.value
    ]
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)
    assert '\'=HYPERLINK("http://evil","x")' in values


def test_print_view_carries_the_date_and_scope(world, county, township_a_staff, client_as):
    response = client_as(township_a_staff).get("/dashboards/print/", {"period": world.period.pk})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="print-scope"' in content
    assert "甲镇" in content and world.period.start_date.isoformat() in content
    assert "乙镇" not in content


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_every_export_neutralises_formula_text(value):
    from apps.core.exports import safe_text, sheets_bytes, workbook_bytes

    assert safe_text(value) == "'" + value
    assert safe_text("正常文字") == "正常文字"
    for content in (
        workbook_bytes([("h", lambda row: row)], [value, 3]),
        sheets_bytes([("s", ["h"], [[value], [3]])]),
    ):
        sheet = load_workbook(BytesIO(content)).active
        assert sheet["A2"].value == "'" + value
        assert sheet["A2"].data_type == "s"
        assert sheet["A3"].value == 3


def test_a_leaders_home_opens_onto_the_dashboard(world, leader, county_admin, client_as):
    content = client_as(leader).get("/").content.decode()
    assert 'data-testid="featured-link"' in content and f'href="{URL}"' in content
    content = client_as(county_admin).get("/").content.decode()
    assert 'data-testid="featured-link"' not in content
