"""The API: assigning an item and every step as DESIGN's table names them, bad input as JSON
with a message per field and nothing written."""

from apps.supervision import services
from apps.supervision.models import ItemLog, SupervisionItem
from tests.supervision.conftest import assign, at

URL = "/api/v1/supervision-items/"


def step(client, item, name, body=None):
    return client.post(f"{URL}{item.pk}/{name}/", body or {}, format="json")


def test_an_item_through_the_api(
    clock, api_as, county, county_admin, dept_liaison, township_a_staff
):
    admin = api_as(county_admin)
    response = admin.post(
        URL,
        {
            "title": "妇女就业帮扶",
            "description": "开展技能培训",
            "source": "meeting",
            "lead_unit": county.department.pk,
            "cooperating_units": [county.township_a.pk],
            "priority": "normal",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["deadline"], body["state"], body["light"], body["slip"]) == (
        "2026-12-14",
        "assigned",
        "green",
        "",
    )
    item = SupervisionItem.objects.get(pk=body["id"])
    township = api_as(township_a_staff)
    assert step(township, item, "accept").status_code == 400
    liaison = api_as(dept_liaison)
    assert step(liaison, item, "accept").json()["state"] == "in_progress"
    response = step(
        liaison,
        item,
        "request-extension",
        {"kind": "extension", "new_deadline": "2026-12-01", "reason": "协调"},
    )
    assert response.status_code == 400 and "new_deadline" in response.json()
    response = step(
        liaison,
        item,
        "request-extension",
        {"kind": "extension", "new_deadline": "2027-01-10", "reason": "协调"},
    )
    assert response.status_code == 200
    admin = api_as(county_admin)
    assert step(admin, item, "return-request", {"reason": ""}).status_code == 400
    assert step(admin, item, "approve-request").json()["deadline"] == "2027-01-10"
    assert step(admin, item, "urge", {"text": "请加快"}).status_code == 200
    assert step(admin, item, "issue-slip", {"colour": "purple"}).status_code == 400
    assert step(admin, item, "issue-slip", {"colour": "blue"}).json()["slip"] == "blue"
    assert step(admin, item, "close", {"evaluation": "satisfied"}).status_code == 400
    liaison = api_as(dept_liaison)
    assert step(liaison, item, "feedback", {"text": ""}).status_code == 400
    assert step(liaison, item, "feedback", {"text": "完成"}).json()["state"] == "feedback"
    admin = api_as(county_admin)
    assert step(admin, item, "return", {"reason": "补材料"}).json()["return_count"] == 1
    step(api_as(dept_liaison), item, "feedback", {"text": "已补充"})
    body = step(api_as(county_admin), item, "close", {"evaluation": "basically_satisfied"}).json()
    assert (body["state"], body["evaluation"]) == ("closed", "basically_satisfied")
    assert [entry["action"] for entry in body["log"]] == list(
        ItemLog.objects.filter(item=item).values_list("action", flat=True)
    )
    assert len(body["log"]) == 10


def test_bad_items_are_refused_with_a_message_per_field(clock, api_as, county, county_admin):
    admin = api_as(county_admin)
    base = {"title": "t", "description": "d", "source": "superior", "priority": "normal"}
    response = admin.post(URL, base, format="json")
    assert response.status_code == 400 and "lead_unit" in response.json()
    response = admin.post(URL, base | {"lead_unit": county.village_a1.pk}, format="json")
    assert response.status_code == 400 and "lead_unit" in response.json()
    response = admin.post(
        URL, base | {"lead_unit": county.department.pk, "deadline": "2026-01-01"}, format="json"
    )
    assert response.status_code == 400 and "deadline" in response.json()
    assert not SupervisionItem.objects.exists()


def test_a_unit_outside_the_item_cannot_find_it(api_as, item, township_b_staff):
    client = api_as(township_b_staff)
    assert client.get(f"{URL}{item.pk}/").status_code == 404
    assert client.post(f"{URL}{item.pk}/feedback/", {"text": "x"}).status_code == 404


def test_the_list_filters_by_light_state_source_unit_and_month(
    clock, api_as, item, county, county_admin, dept_liaison
):
    late = assign(
        county_admin, county, title="逾期事项", lead_unit=county.township_a, cooperating_units=[]
    )
    clock.move_to(at(2026, 11, 25, 10, 0))
    services.accept_item(dept_liaison, item)
    admin = api_as(county_admin)

    def ids(**params):
        return {row["id"] for row in admin.get(URL, params).json()["results"]}

    assert ids(light="red") == {late.pk}  # 签收 missed
    assert ids(light="green") == {item.pk}
    assert ids(state="in_progress") == {item.pk}
    assert ids(source="superior") == {item.pk, late.pk}
    assert ids(unit=county.township_a.pk) == {item.pk, late.pk}  # cooperating or leading
    assert ids(unit=county.department.pk) == {item.pk}
    assert ids(month="2026-11") == {item.pk, late.pk}
    assert ids(month="2026-10") == set()
    assert ids(month="99999-1") == set()
