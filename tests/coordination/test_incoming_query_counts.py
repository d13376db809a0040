"""Lists of referrals to the federation run a fixed number of queries, pinned, whatever the
number of rows (the to-do list that carries them too)."""

import pytest

from apps.accounts.models import User
from apps.coordination import services
from tests.coordination.test_query_counts import count_queries

# API: the request's savepoint and its release, her memberships, the count, the rows. Pages
# add the session, the user, the navigation's and the filter form's reads (the departments).
PINNED = {
    ("county_admin", "/api/v1/incoming-referrals/"): 5,
    ("township_a_staff", "/api/v1/incoming-referrals/"): 5,
    ("police_liaison", "/api/v1/incoming-referrals/"): 5,
    ("county_admin", "/coordination/incoming/"): 12,
    ("township_a_staff", "/coordination/incoming/"): 12,
    ("police_liaison", "/coordination/incoming/"): 12,
    # The township's whole list: the savepoint and its release, memberships, its reports due and
    # the villages below target (kinds that build their own lists), one query asking every other
    # kind for its open ids, and the referrals, its only kind with work (their limits are stored
    # moments: no calendar).
    ("township_a_staff", "/api/v1/todo/"): 2 + 1 + 2 + 1 + 1,
}


@pytest.fixture
def grow(police_liaison, police, county, township_a_staff, county_admin, rep_a1):
    def _grow(count):
        for index in range(count):
            for unit in (county.township_a, county.county):
                referral = services.refer_to_federation(
                    police_liaison,
                    department=police,
                    unit=unit,
                    category="hardship",
                    need="n",
                    name=f"王{index}",
                    phone=f"1370000{index:04d}",
                    village=county.village_a1,
                    consent=True,
                    consent_method="verbal",
                )
            if index % 2:
                services.accept_incoming_referral(
                    county_admin, referral, village=county.village_a1, representative=rep_a1
                )

    return _grow


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
