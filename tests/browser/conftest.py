"""Playwright drives Debian's Chromium (``playwright install`` cannot download here)."""

import pytest
from django.db import connection


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    around it (database set-up included) are still plain synchronous code."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def browser_closes_before_the_database_is_flushed(transactional_db, browser):
    """Set up after the database and so torn down before it: every page still open (and the
    phone's service worker, which keeps fetching her pages) is closed before the flush, which
    would otherwise deadlock with a request the live server is still answering.

    Closing the browser does not end a request already in the live server: each runs in one
    transaction (ATOMIC_REQUESTS), and one caught holding a table the flush has yet to lock
    deadlocked it in CI. Nobody waits for its answer any more, so its connection is ended."""
    yield
    for context in browser.contexts:
        context.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def demo_county(transactional_db, seed_demo):
    """The live server answers from another thread, so the demo rows must be committed."""
    seed_demo()


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(username, password="demo12345"):
        page.goto(f"{live_server.url}/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_test_id("login-submit").click()

    return _sign_in
