"""Supervision lists run a fixed number of queries, pinned, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.deadlines import clear_calendar_cache
from apps.supervision import services
from tests.supervision.conftest import assign

# API: the request's savepoint and its release, her memberships, the count, the rows, and one
# query each for the cooperating units, feedback, requests, log, attachments, slips and progress
# periods (lights need no calendar: the limits are stored). Pages: the session (read, saved), the
# user, her memberships, the count, the rows, the cooperating units, and the navbar's unread
# count.
PINNED = {
    ("county_admin", "/api/v1/supervision-items/"): 12,
    ("dept_liaison", "/api/v1/supervision-items/"): 12,
    ("county_admin", "/supervision/items/"): 13,
    ("township_a_staff", "/supervision/items/"): 13,
}


@pytest.fixture
def grow(clock, county, county_admin, dept_liaison, township_a_staff):
    def _grow(count):
        for _index in range(count):
            item = assign(county_admin, county)
            services.accept_item(dept_liaison, item)
            services.feed_back(township_a_staff, item, text="协办反馈")
            services.issue_slip(county_admin, item, colour="blue")

    return _grow


def count_queries(client, url):
    clear_calendar_cache()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(("role", "url"), list(PINNED))
def test_query_count_is_pinned(role, url, grow, request, api_as, client_as):
    user = request.getfixturevalue(role)

    def client():
        fresh = User.objects.get(pk=user.pk)
        return api_as(fresh) if url.startswith("/api/") else client_as(fresh)

    grow(3)
    at_three = count_queries(client(), url)
    grow(20)
    assert (at_three, count_queries(client(), url)) == (PINNED[(role, url)],) * 2
