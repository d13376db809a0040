"""The leadership dashboard in a real browser, in Chinese: the ``leader`` at 1366 px opens it,
clicks the bar of the township with the lowest coverage, lands on that township's view, exports
its tables and opens the printable report; the ``township`` account reads its own township's
dashboard on a 360 px phone without scrolling sideways."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.dashboards import services
from apps.dashboards.models import CaseMonth, UnitMonth
from apps.organizations.models import OrgUnit

pytestmark = pytest.mark.browser


@pytest.fixture
def rollups(demo_county):
    """A month of figures for every demo village, each township covering a different share of
    its households (bulk inserts: the rollup is what the dashboard reads)."""
    month = timezone.localdate().replace(day=1)
    townships = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWNSHIP).order_by("path"))
    rows, cases = [], []
    for index, township in enumerate(townships):
        for village in OrgUnit.objects.filter(parent=township):
            visited = 2 + (index * 3) % 9
            rows.append(
                UnitMonth(
                    unit=village,
                    month=month,
                    households_linked=10,
                    households_visited=visited,
                    households_visited_ytd=visited,
                    visits=visited + 1,
                    visits_due_red=2,
                    visits_made_red=1,
                )
            )
            cases.append(
                CaseMonth(unit=village, month=month, category="violence", cases=2, sensitive=2)
            )
    UnitMonth.objects.bulk_create(rows)
    CaseMonth.objects.bulk_create(cases)
    services.refresh_area_rows(months=[month])
    coverage = {}
    for row in rows:
        township = row.unit.parent
        linked, visited = coverage.get(township, (0, 0))
        coverage[township] = (linked + row.households_linked, visited + row.households_visited_ytd)
    return min(coverage, key=lambda unit: (coverage[unit][1] / coverage[unit][0], unit.path))


def test_leader_drills_down_exports_and_prints(page, live_server, rollups, sign_in):
    lowest = rollups
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in("leader")
    page.goto(f"{live_server.url}/dashboards/")
    county = OrgUnit.objects.get(memberships__user__username="leader")
    expect(page.get_by_test_id("dashboard-title")).to_have_text(f"驾驶舱 · {county.name}")
    chart = page.get_by_test_id("chart-liaison")
    expect(chart.locator("canvas")).to_be_visible()
    period = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent)")[
        "period"
    ]["id"]

    # The bar of the lowest township, found where ECharts drew it.
    chart.scroll_into_view_if_needed()
    point = page.evaluate(
        """(unit) => {
          const chart = window.dashboardCharts.liaison;
          const index = chart.drills.indexOf(unit);
          const value = chart.getOption().series[0].data[index];
          const end = chart.convertToPixel({seriesIndex: 0}, [value, index]);
          const start = chart.convertToPixel({seriesIndex: 0}, [0, index]);
          return {x: (start[0] + end[0]) / 2, y: end[1]};
        }""",
        lowest.pk,
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_url(f"**/dashboards/?period={period}&unit={lowest.pk}")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text(lowest.name)
    villages = OrgUnit.objects.filter(parent=lowest).order_by("path")
    expect(page.get_by_test_id("table-liaison-unit")).to_contain_text(villages[0].name)

    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_test_id("print-view").click()
    expect(page.get_by_test_id("print-scope")).to_contain_text(f"范围：{lowest.name}及下属单位")
    expect(page.get_by_test_id("table-liaison-unit")).to_contain_text(villages[0].name)


def test_township_reads_its_dashboard_on_a_phone(page, live_server, rollups, sign_in):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in("township")
    page.goto(f"{live_server.url}/dashboards/")
    township = OrgUnit.objects.get(memberships__user__username="township")
    expect(page.get_by_test_id("dashboard-title")).to_contain_text(township.name)
    expect(page.get_by_test_id("chart-liaison").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("table-cases-unit")).to_contain_text("其中敏感")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("document.body.scrollWidth") <= 360
