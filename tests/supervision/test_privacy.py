"""Who sees a supervised item, as each of the five roles and through every door: the API
list and detail, the pages, the slip print, the attachments, the to-do list."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core import todo
from apps.supervision import services
from apps.supervision.models import Attachment, Slip

URL = "/api/v1/supervision-items/"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)

# role fixture → (sees the item, may assign one)
ROLES = {
    "county_admin": (True, True),
    "leader": (True, False),
    "dept_liaison": (True, False),  # the lead unit's liaison
    "township_a_staff": (True, False),  # a cooperating township's staff
    "township_b_staff": (False, False),  # neither
    "village_a1_rep": (False, False),
}


@pytest.fixture
def slip(item, county_admin):
    services.issue_slip(county_admin, item, colour="yellow", reason="滞后")
    return Slip.objects.get()


@pytest.fixture
def attachment(clock, item, dept_liaison):
    services.accept_item(dept_liaison, item)
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    services.feed_back(dept_liaison, item, text="见照片", files=[upload])
    return Attachment.objects.get()


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_only_its_items(
    role, request, item, slip, attachment, county, api_as, client_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    user = request.getfixturevalue(role)
    sees, assigns = ROLES[role]
    api = api_as(user)
    listed = {row["id"] for row in api.get(URL).json()["results"]}
    assert listed == ({item.pk} if sees else set())
    assert api.get(f"{URL}{item.pk}/").status_code == (200 if sees else 404)
    body = {
        "title": "t",
        "description": "d",
        "source": "petition",
        "lead_unit": county.township_b.pk,
        "deadline": "2026-12-31",
    }
    assert (api.post(URL, body, format="json").status_code == 201) == assigns
    pages = client_as(user)
    assert (item.get_absolute_url() in pages.get("/supervision/items/").content.decode()) == sees
    for url in (item.get_absolute_url(), slip.get_absolute_url(), attachment.get_absolute_url()):
        assert pages.get(url).status_code == (200 if sees else 404), url
    assert pages.get("/supervision/items/new/").status_code == (200 if assigns else 403)


def test_the_lead_units_people_have_the_item_to_do_and_admins_the_requests(
    clock, item, county_admin, dept_liaison, township_a_staff
):
    def kinds(user):
        return [entry.kind for entry in todo.todo_for(user)]

    assert "supervision-item" in kinds(dept_liaison)
    assert "supervision-item" not in kinds(township_a_staff)  # cooperating: not its to-do
    services.accept_item(dept_liaison, item)
    services.request_change(
        dept_liaison, item, kind="extension", new_deadline=date(2027, 1, 8), reason="协调"
    )
    assert "supervision-request" in kinds(county_admin)
    services.approve_request(county_admin, item)
    assert "supervision-request" not in kinds(county_admin)
    services.feed_back(dept_liaison, item, text="已完成")
    assert "supervision-item" not in kinds(dept_liaison)
    assert "supervision-feedback" in kinds(county_admin)
