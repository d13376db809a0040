"""Pages and API lists run the same number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.notifications import services as notifications
from apps.organizations.models import OrgUnit


def add_villages(county, count):
    start = OrgUnit.objects.filter(parent=county.township_a).count()
    for index in range(start, start + count):
        OrgUnit.objects.create(
            name=f"新村{index}",
            code=f"100101{index + 100:03d}",
            kind=OrgUnit.Kind.VILLAGE,
            parent=county.township_a,
        )


def count_queries(fetch):
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/org/units/",
        "/org/units/?kind=village",
        "/org/periods/",
        "/notifications/",
        "/api/v1/org-units/",
        "/api/v1/users/",
        "/api/v1/notifications/",
    ],
)
def test_list_query_count_does_not_grow(county, client_as, township_a_staff, url):
    client = client_as(township_a_staff)
    add_villages(county, 10)
    for index in range(10):
        notifications.notify(township_a_staff, f"k{index}", "提醒", email=False)
    at_ten = count_queries(lambda: client.get(url, {"page_size": 500}))

    add_villages(county, 190)
    for index in range(10, 200):
        notifications.notify(township_a_staff, f"k{index}", "提醒", email=False)
    at_two_hundred = count_queries(lambda: client.get(url, {"page_size": 500}))
    assert at_ten == at_two_hundred


def test_org_unit_detail_query_count_does_not_grow(county, client_as, township_a_staff):
    client = client_as(township_a_staff)
    url = f"/org/units/{county.township_a.pk}/"
    add_villages(county, 10)
    at_ten = count_queries(lambda: client.get(url))
    add_villages(county, 190)
    assert count_queries(lambda: client.get(url)) == at_ten
