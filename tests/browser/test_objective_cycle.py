"""The whole objective cycle in a real browser, in Chinese: the county sets and decomposes,
the township splits its share and reports, the village reports, reviews approve, scoring
runs, and the leader reads the ranking."""

import pytest
from playwright.sync_api import expect

from apps.organizations.models import OrgUnit, Period
from tests.browser.navigation import open_nav, sign_out

pytestmark = pytest.mark.browser


def add_objective(page, *, title, unit, target, weight, quantitative=True):
    page.get_by_label("标题").fill(title)
    if quantitative:
        page.get_by_label("类别").select_option(label="发展促进")
        page.get_by_label("计量单位").fill("人次")
    page.get_by_label("责任单位").select_option(label=unit)
    page.get_by_label("目标值").fill(str(target))
    page.get_by_label("权重（分）").fill(str(weight))
    page.get_by_test_id("save-objective").click()
    expect(page.get_by_text("目标已保存。")).to_be_visible()


def file_report(page, value, cycle_end):
    # The year's last cycle: not yet late whenever the test runs within the year.
    page.get_by_label("报送周期截止日").select_option(cycle_end.isoformat())
    page.get_by_label("累计完成值（人次）").fill(str(value))
    page.get_by_label("工作情况").fill("举办培训班，群众反响好")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_text("进度报告已提交审核。")).to_be_visible()


def approve_first_waiting(page, live_server):
    page.goto(f"{live_server.url}/objectives/reports/?status=submitted")
    page.get_by_test_id("report-table").get_by_role("link").first.click()
    page.get_by_test_id("approve-report").click()
    expect(page.get_by_text("报告已审核通过。")).to_be_visible()


def review_queue_fits_a_phone(page, live_server):
    """On a phone the queue's rows stack into labelled cards: nothing scrolls sideways."""
    desktop = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/objectives/reports/?status=submitted")
    table = page.get_by_test_id("report-table")
    expect(table.locator("thead")).to_be_hidden()
    expect(table.locator("td[data-label='责任单位']").first).to_be_visible()
    sideways = table.evaluate("t => t.parentElement.scrollWidth - t.parentElement.clientWidth")
    page_sideways = page.evaluate("() => document.body.scrollWidth - window.innerWidth")
    assert sideways <= 0 and page_sideways <= 0
    page.set_viewport_size(desktop)


def test_set_decompose_report_review_score_and_rank(page, live_server, demo_county, sign_in):
    year = Period.objects.get(kind="year")
    township = OrgUnit.objects.get(memberships__user__username="township")
    village = OrgUnit.objects.get(memberships__user__username="village")

    # 确立目标: the county opens a plan with one objective for the township to split and one
    # the township carries itself.
    sign_in("admin")
    open_nav(page, "目标管理", "目标责任书")
    page.get_by_test_id("new-plan").click()
    page.get_by_label("考核周期").select_option(label=year.name)
    page.get_by_label("标题").fill(f"{year.name}目标责任书")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("add-objective").click()
    add_objective(page, title="开展巾帼技能培训", unit=township.name, target=100, weight=10)
    page.get_by_role("link", name=f"{year.name}目标责任书").click()
    page.get_by_test_id("add-objective").click()
    add_objective(page, title="举办家庭教育讲座", unit=township.name, target=20, weight=5)
    page.get_by_role("link", name=f"{year.name}目标责任书").click()
    page.get_by_test_id("publish-plan").click()
    expect(page.get_by_text("责任书已发布，已通知各责任单位。")).to_be_visible()
    sign_out(page)

    # 分解目标: the township splits its training objective to the village and publishes it.
    sign_in("township")
    open_nav(page, "目标管理", "目标责任书")
    page.get_by_role("link", name=f"{year.name}目标责任书").click()
    page.get_by_test_id("objective-table").get_by_role("link", name="开展巾帼技能培训").click()
    page.get_by_test_id("decompose").click()
    page.get_by_test_id("single-part").click()
    page.get_by_label("责任单位").select_option(label=village.name)
    page.get_by_label("目标值").fill("100")
    page.get_by_label("权重（分）").fill("10")
    page.get_by_test_id("save-objective").click()
    page.get_by_test_id("publish-parts").click()
    expect(page.get_by_text("分解目标已发布，已通知各责任单位。")).to_be_visible()
    # 组织实施: the township reports on the lecture objective it carries itself.
    page.get_by_role("link", name=f"{year.name}目标责任书").click()
    page.get_by_test_id("objective-table").get_by_role("link", name="举办家庭教育讲座").click()
    file_report(page, 16, year.end_date)
    sign_out(page)

    # The village, told by its inbox, reports on its share.
    sign_in("village")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    open_nav(page, "目标管理", "目标责任书")
    page.get_by_role("link", name=f"{year.name}目标责任书").click()
    page.get_by_test_id("objective-table").get_by_role("link", name="开展巾帼技能培训").click()
    file_report(page, 80, year.end_date)
    sign_out(page)

    # Each report is approved by the unit that handed the objective down.
    sign_in("township")
    review_queue_fits_a_phone(page, live_server)
    approve_first_waiting(page, live_server)
    sign_out(page)
    sign_in("admin")
    approve_first_waiting(page, live_server)
    # 考核: scoring runs on the county's command (the nightly job does the same).
    open_nav(page, "目标管理", "目标责任书")
    page.get_by_role("link", name=f"{year.name}目标责任书").click()
    page.get_by_test_id("score-plan").click()
    expect(page.get_by_text("已重新计算得分。")).to_be_visible()
    sign_out(page)

    # 奖励: the leader reads the ranking and the breakdown behind it.
    sign_in("leader")
    open_nav(page, "目标管理", "考核排名")
    rankings = page.get_by_test_id("ranking-table")
    expect(rankings.first).to_contain_text(township.name)
    expect(rankings.last).to_contain_text(village.name)
    page.get_by_role("link", name=village.name).click()
    expect(page.get_by_test_id("score")).to_have_text("80.00")
    expect(page.get_by_test_id("breakdown-objectives")).to_contain_text("开展巾帼技能培训")
