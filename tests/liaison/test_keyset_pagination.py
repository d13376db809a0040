"""Log lists page by keyset: a page costs the same queries whatever the number of rows, the
count stops at a bound, and ``next``/``previous`` walk the whole list without gaps or repeats."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.api.pagination import KeysetPagination
from apps.liaison.models import Contact, Visit
from tests.liaison.conftest import make_household

BASE = date(2026, 6, 30)


def _add_visits(rep, count, start=0):
    # Several visits share each day, so the primary key decides ties inside a day.
    Visit.objects.bulk_create(
        Visit(
            unit=rep.unit,
            representative=rep,
            visited_on=BASE - timedelta(days=(start + n) // 3),
            mode="home",
            summary=f"走访{start + n}",
        )
        for n in range(count)
    )


def _walk(client, url, follow="next"):
    ids, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url, pages = body[follow], pages + 1
    return ids, pages


def test_next_walks_every_visit_once_in_the_lists_order(api_as, county_admin, rep_a1):
    _add_visits(rep_a1, 23)
    expected = list(Visit.objects.order_by("-visited_on", "-pk").values_list("pk", flat=True))
    ids, pages = _walk(api_as(county_admin), "/api/v1/visits/?page_size=5")
    assert ids == expected
    assert pages == 5


def test_previous_walks_back_to_the_first_page(api_as, county_admin, rep_a1):
    _add_visits(rep_a1, 12)
    client = api_as(county_admin)
    first = client.get("/api/v1/visits/?page_size=5").json()
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert third["next"] is None and len(third["results"]) == 2
    back = client.get(third["previous"]).json()
    assert back["results"] == second["results"]
    assert client.get(back["previous"]).json()["results"] == first["results"]
    assert client.get(back["previous"]).json()["previous"] is None
    assert client.get(back["next"]).json()["results"] == third["results"]


def test_a_chosen_order_pages_too(api_as, county_admin, rep_a1):
    _add_visits(rep_a1, 11)
    expected = list(Visit.objects.order_by("visited_on", "pk").values_list("pk", flat=True))
    ids, _pages = _walk(api_as(county_admin), "/api/v1/visits/?page_size=4&ordering=visited_on")
    assert ids == expected


def test_the_count_stops_at_its_bound(api_as, county_admin, rep_a1, monkeypatch):
    _add_visits(rep_a1, 7)
    client = api_as(county_admin)
    body = client.get("/api/v1/visits/?page_size=2").json()
    assert (body["count"], body["count_exact"]) == (7, True)
    monkeypatch.setattr(KeysetPagination, "count_limit", 5)
    body = client.get("/api/v1/visits/?page_size=2").json()
    assert (body["count"], body["count_exact"]) == (5, False)
    assert len(body["results"]) == 2 and body["next"]


@pytest.mark.parametrize(
    "cursor", ["garbage", "eyJwIjpbXSwiciI6MH0", "eyJwIjpbIm5vdC1hLWRhdGUiLDFdLCJyIjowfQ"]
)
def test_a_bad_cursor_is_a_clear_404(api_as, county_admin, rep_a1, cursor):
    _add_visits(rep_a1, 3)
    response = api_as(county_admin).get(f"/api/v1/visits/?cursor={cursor}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_household_cursors_never_carry_her_name(api_as, county_admin, rep_a1):
    for _n in range(3):
        make_household(rep_a1)
    body = api_as(county_admin).get("/api/v1/contacts/?page_size=1").json()
    import base64

    cursor = body["next"].split("cursor=")[1].split("&")[0]
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert "张桂芳" not in decoded
    assert Contact.objects.count() == 3


# --- the cost of a page does not grow with the rows ------------------------------------------

LOG_LISTS = [
    "/api/v1/visits/",
    "/api/v1/cases/",
    "/api/v1/contacts/",
    "/api/v1/referrals/",
    "/api/v1/incoming-referrals/",
    "/api/v1/resource-entries/",
    "/api/v1/resource-hours/",
]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.parametrize("url", LOG_LISTS)
def test_every_log_list_pages_by_keyset(api_as, county_admin, url):
    body = api_as(county_admin).get(url).json()
    assert set(body) == {"count", "count_exact", "next", "previous", "results"}


def test_a_visits_page_costs_the_same_with_ten_times_the_rows(api_as, county_admin, rep_a1):
    client = api_as(county_admin)
    _add_visits(rep_a1, 60)
    client.get("/api/v1/visits/")  # the caller's memberships are loaded once per user
    small, body = _queries(client, "/api/v1/visits/?page_size=20")
    small_next, _ = _queries(client, body["next"])
    _add_visits(rep_a1, 600, start=60)
    large, body = _queries(client, "/api/v1/visits/?page_size=20")
    large_next, _ = _queries(client, body["next"])
    assert (small, small_next) == (large, large_next)
    assert body["count"] == 660


def test_a_visits_page_is_pinned(api_as, county_admin, rep_a1, django_assert_num_queries):
    _add_visits(rep_a1, 30)
    client = api_as(county_admin)
    # The request's savepoint and its release, the caller's memberships, the bounded count,
    # the page, its cases and its households.
    with django_assert_num_queries(7):
        client.get("/api/v1/visits/?page_size=20")


# --- the HTML lists count to a bound --------------------------------------------------------


def _add_households(rep, count):
    Contact.objects.bulk_create(
        Contact(unit=rep.unit, representative=rep, name=f"住户{n}", risk="green")
        for n in range(count)
    )


def test_a_household_page_costs_the_same_with_ten_times_the_rows(client_as, county_admin, rep_a1):
    client = client_as(county_admin)
    _add_households(rep_a1, 60)
    client.get("/liaison/households/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/liaison/households/?page=2").status_code == 200
    _add_households(rep_a1, 540)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/liaison/households/?page=2").status_code == 200
    assert len(small) == len(large)


def test_a_long_html_list_says_more_than_its_bound(client_as, county_admin, rep_a1, monkeypatch):
    from apps.core.views import BoundedCountPaginator

    _add_households(rep_a1, 130)
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 100)
    page = client_as(county_admin).get("/liaison/households/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Page 1 of more than 2 (over 100 rows: filter to see the rest)" in page.text


def test_the_bound_and_a_bad_cursor_speak_chinese(
    client_as, api_as, county_admin, rep_a1, monkeypatch
):
    from apps.core.views import BoundedCountPaginator

    _add_households(rep_a1, 130)
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 100)
    page = client_as(county_admin).get("/liaison/households/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "第 1 页，共 2 页以上（超过 100 条，请用筛选条件查看其余记录）" in page.text
    response = api_as(county_admin).get(
        "/api/v1/visits/?cursor=garbage", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["detail"] == "此分页链接已失效，请从第一页重新开始。"
