"""Moving through the navbar the way a person does."""

import re

from playwright.sync_api import expect


def open_menu(page):
    """On a phone, open the collapsed menu and wait until it has stopped sliding: a tap on a
    dropdown inside it while it still slides has been seen to leave the dropdown shut."""
    toggler = page.get_by_role("button", name="展开导航")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))


def open_nav(page, section, entry=None):
    """Click a navbar entry; with ``entry``, open the ``section`` dropdown first."""
    open_menu(page)
    nav = page.get_by_test_id("main-nav")
    if entry is None:
        nav.get_by_role("link", name=section, exact=True).click()
        return
    nav.get_by_role("button", name=section, exact=True).click()
    nav.get_by_role("link", name=entry, exact=True).click()


def sign_out(page):
    """Sign out from the user menu and wait for the sign-in page: the phone's script empties
    its queue and caches before the form goes, so the next page must not be opened sooner."""
    open_menu(page)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
