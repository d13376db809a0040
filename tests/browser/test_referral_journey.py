"""A referral end to end: the village representative refers her case with the woman's consent,
the department's liaison accepts and completes it with an outcome, and the representative
reads the outcome on the case and records the woman's satisfaction."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.coordination.models import Service
from apps.liaison import services as liaison
from apps.liaison.models import Contact
from tests.browser.navigation import open_nav
from tests.liaison.conftest import make_representative

pytestmark = pytest.mark.browser


@pytest.fixture
def case(demo_county):
    """A need of one of the demo representative's households, and a service of the demo
    department (县教育局) that takes it."""
    user = User.objects.get(username="village")
    village = user.memberships.get().unit
    rep = make_representative(user, village, f"{village.code}00")
    household = Contact.objects.create(
        unit=village, representative=rep, name="张桂芳", phone="13812345678"
    )
    department = User.objects.get(username="dept").memberships.get().unit
    Service.objects.create(
        department=department,
        name="困难家庭学生资助",
        kind=Service.Kind.FUNDS,
        description="面向困难家庭在校学生",
        case_categories=["children"],
    )
    return liaison.open_case(
        user, contact=household, category="children", description="孩子上初中学费困难"
    )


def sign_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo12345")
    page.get_by_test_id("login-submit").click()
    return context, page


def test_village_refers_the_department_completes_and_the_village_reads_the_outcome(
    browser, live_server, case
):
    context, page = sign_in(browser, live_server, "village")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.get_by_test_id("refer").click()
    page.get_by_label("服务").select_option(label="县教育局 · 困难家庭学生资助")
    page.get_by_label("本人同意转介").check()
    page.get_by_label("同意方式").select_option(label="口头")
    page.get_by_test_id("send-referral").click()
    expect(page.get_by_text("转介已发送。")).to_be_visible()
    context.close()

    context, page = sign_in(browser, live_server, "dept")
    open_nav(page, "社会协调", "转介")
    page.get_by_test_id("referral-list").get_by_role("link").first.click()
    # The department reads the need she agreed to share.
    expect(page.get_by_text("孩子上初中学费困难")).to_be_visible()
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("已接收")
    page.get_by_label("办理结果").fill("已纳入资助名单，发放助学金")
    page.get_by_test_id("complete").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("已办结")
    context.close()

    context, page = sign_in(browser, live_server, "village")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_text("已纳入资助名单，发放助学金")).to_be_visible()
    referral = case.referrals.get()
    page.goto(f"{live_server.url}{referral.get_absolute_url()}")
    expect(page.get_by_test_id("outcome")).to_have_text("已纳入资助名单，发放助学金")
    page.get_by_label("当事人满意度").select_option(label="满意")
    page.get_by_test_id("rate").click()
    expect(page.get_by_test_id("satisfaction")).to_have_text("满意")
    context.close()
