"""The pages: assigning an item, the department's steps and the supervisor's on the item
page, the log shown there, and the printable slip."""

from apps.supervision.models import SupervisionItem


def test_assign_accept_feed_back_and_close_on_the_pages(
    clock, client_as, county, county_admin, dept_liaison
):
    admin = client_as(county_admin)
    form = {
        "title": "妇女儿童维权宣传",
        "description": "开展普法宣传进村",
        "source": "government",
        "priority": "normal",
        "cooperating_units": [county.township_a.pk],
    }
    response = admin.post("/supervision/items/new/", form)
    assert response.status_code == 200 and not SupervisionItem.objects.exists()
    assert "主办单位" in response.content.decode() or "lead" in response.content.decode()
    response = admin.post("/supervision/items/new/", form | {"lead_unit": county.department.pk})
    item = SupervisionItem.objects.get()
    assert response.status_code == 302 and response.url == item.get_absolute_url()

    desk = client_as(dept_liaison)
    assert item.get_absolute_url() in desk.get("/").content.decode()  # her to-do list
    page = desk.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="accept"' in page
    desk.post(item.get_absolute_url(), {"action": "accept"})
    response = desk.post(item.get_absolute_url(), {"action": "feedback", "text": ""})
    assert response.status_code == 200
    desk.post(item.get_absolute_url(), {"action": "feedback", "text": "已开展宣传 12 场"})
    item.refresh_from_db()
    assert item.state == "feedback"

    admin = client_as(county_admin)
    response = admin.post(item.get_absolute_url(), {"action": "close", "evaluation": ""})
    assert response.status_code == 200
    admin.post(item.get_absolute_url(), {"action": "close", "evaluation": "satisfied"})
    item.refresh_from_db()
    assert (item.state, item.evaluation) == ("closed", "satisfied")
    page = admin.get(item.get_absolute_url()).content.decode()
    assert "已开展宣传 12 场" in page and 'data-testid="item-log"' in page


def test_a_slip_prints_with_its_colour(clock, client_as, item, county_admin):
    admin = client_as(county_admin)
    admin.post(item.get_absolute_url(), {"action": "issue-slip", "colour": "red"})
    item.refresh_from_db()
    assert item.slip == "red"
    slip = item.slips.get()
    page = admin.get(slip.get_absolute_url()).content.decode()
    assert item.title in page and 'class="red"' in page


def test_the_list_filters_by_state_and_light(clock, client_as, item, county_admin):
    admin = client_as(county_admin)
    assert (
        item.title in admin.get("/supervision/items/?state=assigned&light=green").content.decode()
    )
    assert item.title not in admin.get("/supervision/items/?state=closed").content.decode()


def test_the_filtered_list_exports_to_a_workbook(clock, client_as, item, county_admin):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_as(county_admin).get("/supervision/items/?export=xlsx&state=assigned")
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][:2] == ("标题", "来源")
    assert rows[1][0] == item.title and rows[1][4] == "甲镇" and len(rows) == 2
