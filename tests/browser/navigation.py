"""Moving through the navbar the way a person does."""

from playwright.sync_api import expect


def open_nav(page, section, entry=None):
    """Click a navbar entry; with ``entry``, open the ``section`` dropdown first. On a phone
    the collapsed menu is opened before anything else."""
    toggler = page.get_by_role("button", name="展开导航")
    if toggler.is_visible():
        toggler.click()
    nav = page.get_by_test_id("main-nav")
    if entry is None:
        nav.get_by_role("link", name=section, exact=True).click()
        return
    nav.get_by_role("button", name=section, exact=True).click()
    nav.get_by_role("link", name=entry, exact=True).click()


def sign_out(page):
    """Sign out from the user menu and wait for the sign-in page: the phone's script empties
    its queue and caches before the form goes, so the next page must not be opened sooner."""
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
