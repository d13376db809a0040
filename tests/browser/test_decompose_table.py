"""分解目标 in one table, in a real browser: the township shares an objective among all its
villages, watches the running total, saves every part at once and publishes them; the village
finds her part's report on her to-do list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.objectives import services
from apps.objectives.models import Objective
from apps.organizations.models import OrgUnit, Period
from tests.browser.navigation import sign_out

pytestmark = pytest.mark.browser


@pytest.fixture
def township_objective(demo_county):
    """A published county plan with one objective for the demo township to share out: one
    point and ten people per village, so the equal shares are whole. It is due tomorrow and
    reported on the day a cycle ends, so on whatever day the test runs a report is due."""
    admin = User.objects.get(username="admin")
    township = OrgUnit.objects.get(memberships__user__username="township")
    villages = list(OrgUnit.objects.filter(parent=township).order_by("path"))
    year = Period.objects.get(kind="year")
    plan = services.create_plan(
        admin,
        period=year,
        unit=admin.primary_membership.unit,
        title=f"{year.name}目标责任书",
        report_grace_days=0,
    )
    objective = services.add_objective(
        admin,
        plan,
        category=Objective.Category.DEVELOPMENT,
        title="开展巾帼技能培训",
        measure_unit="人次",
        target=Decimal(10 * len(villages)),
        weight=Decimal(len(villages)),
        due_date=min(timezone.localdate() + timedelta(days=1), year.end_date),
        assignee_unit=township,
    )
    services.publish_plan(admin, plan)
    return objective, villages


def test_township_decomposes_to_its_villages_in_one_table(
    page, live_server, township_objective, sign_in
):
    objective, villages = township_objective
    count = len(villages)
    sign_in("township")
    page.goto(f"{live_server.url}/objectives/{objective.pk}/")
    page.get_by_test_id("decompose").click()

    rows = page.get_by_test_id("decompose-row")
    village_rows = rows.filter(has_not_text="个人目标")
    expect(village_rows).to_have_count(count)
    for village in villages:
        expect(page.get_by_test_id("decompose-table")).to_contain_text(village.name)
    # Pre-filled with equal shares that add up to the objective's weight and target.
    total_weight = page.get_by_test_id("total-weight")
    expect(total_weight).to_have_text(str(count))
    expect(page.get_by_test_id("total-target")).to_have_text(str(10 * count))
    expect(total_weight).to_have_class("text-success")

    # The running total follows every change, red until the parts add up again.
    first_weight = village_rows.nth(0).locator("input[data-column=weight]")
    second_weight = village_rows.nth(1).locator("input[data-column=weight]")
    first_weight.fill("1.5")
    expect(total_weight).to_have_text(str(Decimal(count) + Decimal("0.5")))
    expect(total_weight).to_have_class("text-danger")
    second_weight.fill("0.5")
    expect(total_weight).to_have_text(str(count))
    expect(total_weight).to_have_class("text-success")

    page.get_by_test_id("save-decomposition").click()
    expect(page.get_by_text("分解目标已保存。")).to_be_visible()
    expect(page.get_by_test_id("parts-table").locator("tbody tr")).to_have_count(count)
    parts = objective.children.order_by("assignee_unit__path")
    assert parts.count() == count
    assert [part.weight for part in parts[:2]] == [Decimal("1.5"), Decimal("0.5")]
    assert sum(part.target for part in parts) == 10 * count

    # 发布: the parts go out, and the village finds her part's report on her to-do list.
    page.get_by_test_id("publish-parts").click()
    expect(page.get_by_text("分解目标已发布")).to_be_visible()
    village = OrgUnit.objects.get(memberships__user__username="village")
    part = parts.get(assignee_unit=village)
    sign_out(page)
    sign_in("village")
    item = page.get_by_test_id("todo-item").filter(has_text="开展巾帼技能培训")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-kind", "report-due")
    item.click()
    expect(page).to_have_url(f"{live_server.url}/objectives/{part.pk}/")
    expect(page.get_by_test_id("submit-report")).to_be_visible()
