"""On a 360 px phone in the large-text mode (适老化): the village representative switches it on
from her phone home page, and every page she works in is drawn large, with buttons a finger
can hit and nothing that scrolls the page sideways."""

from datetime import date

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.liaison import services as liaison
from apps.liaison.models import Case, Contact
from apps.notifications.services import notify
from tests.browser.navigation import open_menu
from tests.browser.test_liaison_phone import PHONE, sign_in_on_phone
from tests.liaison.conftest import make_representative

pytestmark = pytest.mark.browser

# Long, unbroken text where a page is most likely to be pushed wider than the phone.
LONG_ADDRESS = "某某省某某市某某县某某镇某某村第十三村民小组一百二十三号院东侧第二间"
LONG_NOTE = (
    "入户走访了解到家中老人行动不便需要协调乡镇卫生院上门服务" * 3
    + "，政策见https://www.example.gov.cn/zwgk/zcwj/2026/elderly-home-care-service-notice.html"
)


@pytest.fixture
def her_work(demo_county):
    """Her households, a visit, an open case with follow-ups and a message in her inbox."""
    user = User.objects.get(username="village")
    village = user.memberships.get().unit
    rep = make_representative(user, village, f"{village.code}00", ["legal"])
    households = [
        Contact.objects.create(
            unit=village,
            representative=rep,
            name=name,
            phone="13812345678",
            address=LONG_ADDRESS,
            risk=risk,
        )
        for name, risk in (("张桂芳", "green"), ("欧阳秀兰", "red"))
    ]
    liaison.log_visit(
        user, visited_on=date.today(), mode="home", contacts=households, summary=LONG_NOTE
    )
    case = liaison.open_case(
        user, contact=households[0], category=Case.Category.HEALTH, description=LONG_NOTE
    )
    liaison.add_follow_up(user, case, note=LONG_NOTE)
    notify(user, "large-text-test", "个案即将超期：请尽快跟进" + LONG_NOTE, body=LONG_NOTE)
    return {"household": households[0], "case": case}


def her_pages(live_server, work):
    base = live_server.url
    return {
        "home": f"{base}/",
        "liaison home": f"{base}/liaison/",
        "households": f"{base}/liaison/households/",
        "household": f"{base}{work['household'].get_absolute_url()}",
        "visit form": f"{base}/liaison/visits/new/",
        "cases": f"{base}/liaison/cases/",
        "case": f"{base}{work['case'].get_absolute_url()}",
        "messages": f"{base}/notifications/",
    }


WIDTH = PHONE["viewport"]["width"]

LAYOUT = r"""() => {
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .filter((el) => !el.closest('table, .table-responsive, .collapse:not(.show)'))
    .filter((el) => !el.closest('.dropdown-menu:not(.show)'))
    .map((el) => el.tagName + '.' + el.className);
  const heights = (selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.offsetParent !== null)
    .map((el) => el.getBoundingClientRect().height);
  // WCAG contrast against the white page of the text's colour (an alpha colour is laid on white).
  const luminance = (css) => {
    const [r, g, b, a = 1] = css.match(/[\d.]+/g).map(Number);
    const channel = (c) => {
      const v = (c * a + 255 * (1 - a)) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const contrasts = (selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.offsetParent !== null && el.textContent.trim())
    .filter((el) => !el.closest('.badge, .btn, .navbar, .alert, .active, .dropdown-menu'))
    .map((el) => 1.05 / (luminance(getComputedStyle(el).color) + 0.05));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    clientWidth: document.documentElement.clientWidth,
    bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
    primary: heights('main .btn-primary'),
    buttons: heights('main .btn, main .form-control, main .form-select, main .list-group-item'),
    toggler: heights('.navbar-toggler'),
    contrast: contrasts('main, main .text-secondary, main .small, main small, main a:not(.btn)'),
    wide: wide.slice(0, 5),
  };
}"""


def menu_links(page):
    """Every page her navigation menu leads to (objectives, referrals, the service directory,
    org units …), beyond the ones she works in daily."""
    return page.eval_on_selector_all(
        "[data-testid=main-nav] a[href]:not([href='#'])", "links => links.map((a) => a.href)"
    )


def assert_no_sideways_scroll(layout, name):
    """A mobile browser zooms out to show a page wider than the phone, and innerWidth grows
    with it: the page is measured against the phone's own width."""
    assert layout["clientWidth"] == WIDTH, (name, layout["clientWidth"])
    assert layout["scrollWidth"] <= min(layout["innerWidth"], WIDTH), (name, layout["wide"])


def check_layout(page, name):
    layout = page.evaluate(LAYOUT)
    assert_no_sideways_scroll(layout, name)
    assert layout["bodyFont"] >= 18, (name, layout["bodyFont"])
    assert all(height >= 48 for height in layout["primary"]), (name, layout["primary"])
    assert all(height >= 48 for height in layout["buttons"]), (name, layout["buttons"])
    assert all(height >= 48 for height in layout["toggler"]), (name, layout["toggler"])
    # Body text, the secondary lines under it and links all reach 7:1.
    assert layout["contrast"], name
    assert min(layout["contrast"]) >= 7, (name, sorted(layout["contrast"])[:3])
    return layout


def test_large_text_on_every_page_she_uses_at_360_px(browser, live_server, her_work):
    context, page = sign_in_on_phone(browser, live_server, "village")
    pages = her_pages(live_server, her_work)

    # She switches it on from her phone home page and comes back to the same page.
    page.goto(pages["liaison home"])
    page.get_by_role("main").get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class("large-text")
    assert page.url == pages["liaison home"]

    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("html")).to_have_class("large-text")
        check_layout(page, name)

    # The menu, opened, also fits: the navigation and her own menu with the switch back.
    page.goto(pages["home"])
    open_menu(page)
    page.get_by_test_id("user-menu").click()
    switch_back = page.get_by_role("navigation").get_by_role("button", name="标准模式")
    expect(switch_back).to_be_visible()
    assert switch_back.bounding_box()["height"] >= 48
    check_layout(page, "open menu")

    # Remembered on her account: a new sign-in on another phone opens large.
    context.close()
    context, page = sign_in_on_phone(browser, live_server, "village")
    expect(page.locator("html")).to_have_class("large-text")
    context.close()


def test_standard_mode_fits_360_px_too(browser, live_server, her_work):
    context, page = sign_in_on_phone(browser, live_server, "village")
    pages = {**her_pages(live_server, her_work), **{url: url for url in menu_links(page)}}
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("html")).not_to_have_class("large-text")
        assert_no_sideways_scroll(page.evaluate(LAYOUT), name)
    context.close()


def test_every_page_in_her_menu_fits_in_large_text(browser, live_server, her_work):
    User.objects.filter(username="village").update(large_text=True)
    context, page = sign_in_on_phone(browser, live_server, "village")
    links = menu_links(page)
    assert len(links) >= 5
    for url in links:
        page.goto(url)
        check_layout(page, url)
    context.close()
