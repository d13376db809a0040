"""The leader's 肯定性批示, recorded by the supervisor on closing or afterwards (leaders read
only, so a county admin records it on the leader's behalf)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.supervision import services
from apps.supervision.models import ItemLog, SupervisionItem
from tests.supervision.conftest import at


@pytest.fixture
def fed_back(clock, item, dept_liaison):
    services.accept_item(dept_liaison, item)
    return services.feed_back(dept_liaison, item, text="完成")


def unchanged(field, step, *args, **kwargs):
    before = (
        ItemLog.objects.count(),
        list(SupervisionItem.objects.values_list("state", "commendation")),
    )
    with pytest.raises(ValidationError) as error:
        step(*args, **kwargs)
    after = (
        ItemLog.objects.count(),
        list(SupervisionItem.objects.values_list("state", "commendation")),
    )
    assert after == before and field in error.value.message_dict


def test_commendation_on_closing(fed_back, county_admin, leader, dept_liaison):
    item = fed_back
    unchanged(
        "commended_by",
        services.close_item,
        county_admin,
        item,
        evaluation="satisfied",
        commendation="好",
    )
    unchanged(
        "commended_by",
        services.close_item,
        county_admin,
        item,
        evaluation="satisfied",
        commendation="好",
        commended_by=dept_liaison,
    )
    unchanged(
        "commendation",
        services.close_item,
        county_admin,
        item,
        evaluation="satisfied",
        commended_by_name="王县长",
    )
    item = services.close_item(
        county_admin,
        item,
        evaluation="satisfied",
        commendation="工作扎实，成效明显。",
        commended_by=leader,
    )
    assert (item.commendation, item.commended_by, item.commended_by_name, item.commended_on) == (
        "工作扎实，成效明显。",
        leader,
        "leader",
        at(2026, 11, 23, 10, 0).date(),
    )
    assert ItemLog.objects.filter(item=item, action="commend").count() == 1


def test_commendation_after_closing(
    fed_back, county_admin, dept_liaison, leader, api_as, client_as
):
    item = fed_back
    unchanged(
        "commendation",
        services.commend,
        county_admin,
        item,
        commendation="好",
        commended_by_name="王县长",
    )
    services.close_item(county_admin, item, evaluation="satisfied")
    with pytest.raises(PermissionDenied):
        services.commend(dept_liaison, item, commendation="好", commended_by_name="王县长")
    url = f"/api/v1/supervision-items/{item.pk}/commend/"
    assert api_as(leader).post(url, {"commendation": "好"}).status_code == 403
    response = api_as(county_admin).post(
        url, {"commendation": "值得推广", "commended_by_name": "王县长"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["commended_by_name"] == "王县长"
    page = client_as(leader).get(item.get_absolute_url())
    assert "值得推广" in page.content.decode()
