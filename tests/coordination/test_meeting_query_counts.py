"""Joint-meeting lists run a fixed number of queries, pinned, whatever the number of meetings
and decisions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.coordination import services
from apps.core.deadlines import clear_calendar_cache
from tests.coordination.test_meetings import (  # noqa: F401
    members,
    police,
    police_liaison,
)

# API: the savepoint and its release, her memberships, the count, the meetings, their
# departments, their decisions (with owners) and their files; the decisions' lights read the
# warning rule once. A department liaison's scope adds no query (subqueries). Pages add the
# session (read and saved), the user and the unread-notifications badge.
PINNED = {
    ("county_admin", "/api/v1/meetings/"): 9,
    ("dept_liaison", "/api/v1/meetings/"): 9,
    ("leader", "/api/v1/meetings/"): 9,
    ("dept_liaison", "/api/v1/meeting-decisions/"): 6,
    ("county_admin", "/coordination/meetings/"): 13,
    ("dept_liaison", "/coordination/meetings/"): 13,
    ("dept_liaison", "/coordination/meetings/members/"): 12,
}


@pytest.fixture
def grow(county, county_admin, members, police):  # noqa: F811
    def _grow(count):
        today = timezone.localdate()
        for index in range(count):
            services.save_meeting(
                county_admin,
                title=f"会议{index}",
                held_on=today - timedelta(days=index),
                departments=[county.department, police],
                minutes="纪要",
                decisions=[
                    {"text": "甲", "owner": county.department, "deadline": today},
                    {"text": "乙", "owner": police, "deadline": today + timedelta(days=9)},
                ],
            )
            services.save_convener(county_admin, kind="convener", name=f"召集人{index}")

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
