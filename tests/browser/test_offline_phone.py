"""The village phone without signal: visits wait on the phone and go up once when the signal
returns; a refused one stays with the server's message; the service worker serves her pages."""

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.liaison import services
from apps.liaison.models import Contact, Visit
from tests.browser.navigation import open_menu
from tests.browser.test_liaison_phone import PHONE
from tests.conftest import make_user
from tests.liaison.conftest import make_representative

pytestmark = pytest.mark.browser


@pytest.fixture
def village(demo_county):
    """The demo village representative's village, with two households of hers."""
    user = User.objects.get(username="village")
    village = user.memberships.get().unit
    rep = make_representative(user, village, f"{village.code}00", ["legal"])
    for name in ("张桂芳", "李秀兰"):
        Contact.objects.create(unit=village, representative=rep, name=name, phone="13812345678")
    return village


def phone(browser, live_server, *, service_workers="block"):
    """Signed in as the village representative on a 360 px phone. The queue works without the
    service worker; tests of the queue block it, so that Playwright sees every request."""
    context = browser.new_context(**PHONE, service_workers=service_workers)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill("village")
    page.get_by_label("密码").fill("demo12345")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-menu")).to_be_attached()
    return context, page


def log_visit(page, household, summary):
    page.get_by_test_id("visit-households").get_by_text(household).click()
    page.get_by_label("走访情况").fill(summary)
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("offline-notice")).to_contain_text("已保存在手机上")


def test_two_visits_logged_offline_arrive_once(browser, live_server, village):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/liaison/visits/new/")
    context.set_offline(True)
    log_visit(page, "张桂芳", "入户走访，信号不好")
    log_visit(page, "李秀兰", "田间走访")
    expect(page.get_by_test_id("upload-badge")).to_have_text("待上传 2 条")
    assert Visit.objects.count() == 0

    context.set_offline(False)
    expect(page.get_by_test_id("queue-item-status")).to_have_text(["已上传", "已上传"])
    expect(page.get_by_test_id("upload-badge")).to_be_hidden()
    assert sorted(Visit.objects.values_list("summary", flat=True)) == [
        "入户走访，信号不好",
        "田间走访",
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_a_visit_whose_answer_was_lost_is_stored_once(browser, live_server, village):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/liaison/visits/new/")
    context.set_offline(True)
    log_visit(page, "张桂芳", "入户走访")

    lost = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)  # the server stores the visit ...
            route.abort("internetdisconnected")  # ... and the phone never hears of it
        else:
            route.continue_()

    page.route("**/api/v1/visits/", lose_the_first_answer)
    context.set_offline(False)
    queue = page.get_by_test_id("offline-queue")
    expect(queue).to_have_attribute("data-upload-tries", "1")
    expect(page.get_by_test_id("upload-badge")).to_have_text("待上传 1 条")
    assert lost == [201]

    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("queue-item-status")).to_have_text(["已上传"])
    expect(queue).to_have_attribute("data-upload-tries", "2")
    assert Visit.objects.count() == 1
    context.close()


def test_a_refused_visit_stays_on_the_phone_with_the_servers_message(browser, live_server, village):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/liaison/visits/new/")
    context.set_offline(True)
    log_visit(page, "张桂芳", "入户走访")

    # Meanwhile the household is moved to another representative.
    other = make_representative(
        make_user("other_rep", "village_rep", village),
        village,
        f"{village.code}99",
    )
    Contact.objects.filter(name="张桂芳").update(representative=other)

    context.set_offline(False)
    item = page.get_by_test_id("queue-item")
    expect(item.get_by_test_id("queue-item-status")).to_have_text("未被接收")
    expect(item.get_by_test_id("queue-item-message")).to_contain_text("这户已不是你的联系户")
    expect(item.get_by_role("button", name="修改")).to_be_visible()
    assert Visit.objects.count() == 0

    # 修改 opens the visit again in the form, with the server's message.
    item.get_by_role("button", name="修改").click()
    expect(page.get_by_label("走访情况")).to_have_value("入户走访")
    expect(page.get_by_test_id("offline-notice")).not_to_be_empty()

    # Still there after the app is opened again; discarding it is her choice, asked first.
    page.goto(f"{live_server.url}/liaison/")
    expect(item.get_by_test_id("queue-item-status")).to_have_text("未被接收")
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="放弃").click()
    expect(page.get_by_test_id("queue-item")).to_have_count(0)
    context.close()


def test_the_service_worker_serves_her_pages_offline(browser, live_server, village):
    context, page = phone(browser, live_server, service_workers="allow")
    page.goto(f"{live_server.url}/liaison/")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    expect(page.get_by_test_id("todo-list")).to_be_visible()

    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("todo-list")).to_be_visible()
    page.goto(f"{live_server.url}/liaison/visits/new/")
    expect(page.get_by_test_id("save-visit")).to_be_visible()
    # A page she never kept (and a case page is never kept) answers with the offline page.
    page.goto(f"{live_server.url}/liaison/cases/")
    expect(page.get_by_test_id("offline-page")).to_be_visible()
    context.close()


STORED_QUEUE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("federation-offline");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  if (!db.objectStoreNames.contains("queue")) return [];
  const items = await new Promise((resolve) => {
    const request = db.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return items.map((item) => ({ ...item, sealed: !!item.sealed, text: JSON.stringify(item) }));
}"""


def sign_out_menu(page):
    open_menu(page)
    page.get_by_test_id("user-menu").click()


def test_a_sensitive_need_waits_encrypted_and_signing_out_asks_first(browser, live_server, village):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/liaison/visits/new/")
    context.set_offline(True)
    page.get_by_test_id("visit-households").get_by_text("张桂芳").click()
    page.get_by_label("走访情况").fill("入户走访")
    page.get_by_label("反映诉求").select_option(label="家庭暴力")
    page.get_by_label("诉求内容").fill("丈夫多次动手")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("sensitive-badge")).to_have_text("有 1 条敏感个案待上传")
    expect(page.get_by_test_id("queue-item")).to_have_count(0)
    [item] = page.evaluate(STORED_QUEUE)
    assert item["sealed"] and "动手" not in item["text"] and "入户" not in item["text"]

    # Signing out with a record left asks first; saying no keeps everything.
    sign_out_menu(page)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("sensitive-badge")).to_be_visible()
    assert len(page.evaluate(STORED_QUEUE)) == 1

    # Back online with the server in trouble: the record is still on the phone when she leaves.
    page.route("**/api/v1/visits/", lambda route: route.fulfill(status=503))
    context.set_offline(False)
    page.reload()
    expect(page.get_by_test_id("offline-queue")).to_have_attribute("data-upload-tries", "1")
    sign_out_menu(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    assert page.evaluate(STORED_QUEUE) == []
    assert Visit.objects.count() == 0
    context.close()


def test_a_follow_up_written_offline_on_an_open_case_page_arrives_once(
    browser, live_server, village
):
    user = User.objects.get(username="village")
    case = services.open_case(
        user, contact=Contact.objects.get(name="张桂芳"), category="hardship", description="困难"
    )
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/liaison/cases/{case.pk}/")
    context.set_offline(True)
    page.get_by_label("记录").fill("电话未接通，改日再访")
    page.get_by_role("button", name="添加跟进").click()
    expect(page.get_by_test_id("upload-badge")).to_have_text("待上传 1 条")

    context.set_offline(False)
    expect(page.get_by_test_id("queue-item-status")).to_have_text(["已上传"])
    assert case.follow_ups.filter(note="电话未接通，改日再访").count() == 1
    context.close()
