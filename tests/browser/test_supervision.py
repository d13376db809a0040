"""A supervised item in a real browser, in Chinese: the county assigns it to the ``dept``
account's department, the department signs for it (签收) and feeds back, and the county closes
it (办结) with an evaluation."""

import pytest
from playwright.sync_api import expect

from apps.organizations.models import OrgUnit
from tests.browser.navigation import open_nav, sign_out

pytestmark = pytest.mark.browser


def test_assign_accept_feed_back_and_close(page, live_server, demo_county, sign_in):
    department = OrgUnit.objects.get(memberships__user__username="dept")

    sign_in("admin")
    open_nav(page, "督查督办", "交办事项")
    page.get_by_label("标题").fill("落实留守儿童关爱服务")
    page.get_by_label("交办要求").fill("摸清底数，建立台账，按时反馈。")
    page.get_by_label("来源").select_option(label="联席会议议定")
    page.get_by_label("主办单位").select_option(label=department.name)
    page.get_by_test_id("save-item").click()
    expect(page.get_by_text("事项已交办。")).to_be_visible()
    expect(page.get_by_test_id("item-state")).to_have_text("已交办")
    sign_out(page)

    sign_in("dept")
    open_nav(page, "督查督办", "督办事项")
    page.get_by_test_id("item-list").get_by_role("link").filter(
        has_text="落实留守儿童关爱服务"
    ).click()
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("item-state")).to_have_text("办理中")
    page.get_by_label("内容").fill("已建立全县留守儿童台账。")
    page.get_by_test_id("feedback").click()
    expect(page.get_by_test_id("item-state")).to_have_text("已反馈")
    sign_out(page)

    sign_in("admin")
    open_nav(page, "督查督办", "督办事项")
    page.get_by_test_id("item-list").get_by_role("link").filter(
        has_text="落实留守儿童关爱服务"
    ).click()
    expect(page.get_by_test_id("feedbacks")).to_contain_text("已建立全县留守儿童台账。")
    page.get_by_label("评价").select_option(label="满意")
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("item-state")).to_have_text("已办结")
    expect(page.get_by_test_id("evaluation")).to_have_text("满意")
    expect(page.get_by_test_id("item-log")).to_contain_text("签收")
    # The month's figures count it as 办结 on the report page.
    open_nav(page, "督查督办", "督办统计")
    expect(page.get_by_test_id("report-units")).to_contain_text(department.name)
