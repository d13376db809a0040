"""A village representative signs in on a phone, in Chinese, sees her menu and signs out."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_village_rep_signs_in_sees_her_menu_and_signs_out(page, live_server, demo_county, sign_in):
    console_errors = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="妇联工作管理平台")).to_be_visible()
    sign_in("village")

    expect(page.get_by_role("heading", name="欢迎，王秀英")).to_be_visible()
    nav = page.get_by_test_id("main-nav")
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    expect(nav.get_by_role("link", name="组织机构")).to_be_visible()
    expect(nav.get_by_role("link", name="消息中心")).to_be_visible()
    # County-only entries are not offered to a representative.
    expect(nav.get_by_role("link", name="系统管理")).to_have_count(0)
    expect(nav.get_by_role("link", name="考核周期")).to_have_count(0)
    expect(page.get_by_test_id("membership")).to_contain_text("村（社区）妇联执委")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    assert console_errors == []


def test_phone_width_menu_opens_from_the_toggler(browser, live_server, demo_county):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill("village")
    page.get_by_label("密码").fill("demo12345")
    page.get_by_test_id("login-submit").click()

    nav = page.get_by_test_id("main-nav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="展开导航").click()
    expect(nav.get_by_role("link", name="组织机构")).to_be_visible()
    context.close()


def test_county_admin_sees_administration(page, live_server, demo_county, sign_in):
    sign_in("admin")
    nav = page.get_by_test_id("main-nav")
    expect(nav.get_by_role("link", name="系统管理")).to_be_visible()
    expect(nav.get_by_role("link", name="考核周期")).to_be_visible()


def test_switch_to_english(page, live_server, demo_county, sign_in):
    sign_in("leader")
    page.get_by_role("button", name="语言").or_(page.get_by_role("link", name="语言")).click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Welcome, 刘建华")).to_be_visible()
