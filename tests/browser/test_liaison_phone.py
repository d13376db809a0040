"""On a phone: the village representative logs a visit with a need, the case appears, she
escalates it, and the township sees it."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.liaison.models import Contact
from tests.browser.navigation import open_nav
from tests.liaison.conftest import make_representative

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "locale": "zh-CN",
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def village_households(demo_county):
    user = User.objects.get(username="village")
    village = user.memberships.get().unit
    rep = make_representative(user, village, f"{village.code}00", ["legal"])
    for name in ("张桂芳", "李秀兰"):
        Contact.objects.create(unit=village, representative=rep, name=name, phone="13812345678")
    return village


def sign_in_on_phone(browser, live_server, username):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo12345")
    page.get_by_test_id("login-submit").click()
    return context, page


def test_visit_with_a_need_becomes_a_case_the_township_sees(
    browser, live_server, village_households
):
    context, page = sign_in_on_phone(browser, live_server, "village")
    open_nav(page, "代表联系", "我的联系工作")
    page.get_by_test_id("log-visit").click()
    page.get_by_test_id("visit-households").get_by_text("张桂芳").click()
    page.get_by_text("入户").click()
    page.get_by_label("走访情况").fill("入户走访，了解到她想学电商")
    page.get_by_label("反映诉求").select_option(label="就业创业")
    page.get_by_label("诉求内容").fill("想参加电商直播培训")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_text("走访已登记，已为所反映的诉求受理个案。")).to_be_visible()

    page.get_by_test_id("open-cases").get_by_role("link").first.click()
    expect(page.get_by_test_id("case-state")).to_have_text("受理")
    page.get_by_label("记录").fill("需要乡镇妇联协调培训名额")
    page.get_by_test_id("escalate").click()
    expect(page.get_by_test_id("case-state")).to_have_text("上报")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()

    context, page = sign_in_on_phone(browser, live_server, "township")
    open_nav(page, "代表联系", "诉求个案")
    cases = page.get_by_test_id("case-list")
    expect(cases).to_contain_text("就业创业")
    expect(cases).to_contain_text(village_households.name)
    context.close()
