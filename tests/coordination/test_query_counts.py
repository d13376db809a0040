"""Coordination lists run a fixed number of queries, pinned, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.coordination import services
from apps.core.deadlines import clear_calendar_cache
from apps.liaison import services as liaison
from tests.coordination.conftest import make_service

# API: the request's savepoint and its release, her memberships, the count, the rows (a
# representative's case rule is a subquery of the same query; lights need no calendar, their
# limits are datetimes already stored). Pages add the session, the user, the navigation's and
# the filter form's reads.
PINNED = {
    ("dept_liaison", "/api/v1/referrals/"): 5,
    ("village_a1_rep", "/api/v1/referrals/"): 5,
    ("dept_liaison", "/api/v1/services/"): 4,
    ("dept_liaison", "/coordination/referrals/"): 11,
    ("village_a1_rep", "/coordination/services/"): 12,
}


@pytest.fixture
def grow(county, village_a1_rep, household_a1, school_aid):
    def _grow(count):
        for index in range(count):
            make_service(county.department, name=f"服务{index}")
            case = liaison.open_case(
                village_a1_rep, contact=household_a1, category="children", description="d"
            )
            services.refer_case(
                village_a1_rep, case, service=school_aid, consent=True, consent_method="verbal"
            )

    return _grow


def count_queries(client, url):
    """The queries of one request by a freshly read user, as every request starts."""
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
