"""Inspections and rectifications through the API and the pages: who sees what as each of the
five roles, the steps (``submit``, ``verify``, ``return``), bad input as JSON with a message
per field and nothing written, the create form with its rectification rows, and the query
count of every list pinned."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.deadlines import clear_calendar_cache
from apps.supervision import services
from apps.supervision.models import Inspection, InspectionAttachment, Rectification
from tests.supervision.conftest import at, inspect

URL = "/api/v1/inspections/"
RECTIFICATIONS = "/api/v1/rectifications/"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)

# role → (sees the inspection, which rectifications (township's, department's), records)
ROLES = {
    "county_admin": (True, {0, 1}, True),
    "leader": (True, {0, 1}, False),
    "township_a_staff": (True, {0, 1}, False),  # the unit inspected
    "dept_liaison": (True, {1}, False),  # owns one rectification there
    "township_b_staff": (False, set(), False),
    "village_a1_rep": (False, set(), False),
}


@pytest.fixture
def evidence(rectifications, township_a_staff):
    township, _department = rectifications
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    services.submit_rectification(township_a_staff, township, text="已整改", files=[upload])
    return InspectionAttachment.objects.get()


@pytest.mark.parametrize("role", list(ROLES))
def test_who_sees_what(
    role, request, inspection, rectifications, evidence, county, api_as, client_as
):
    user = request.getfixturevalue(role)
    sees, visible, records = ROLES[role]
    ids = {rectifications[index].pk for index in visible}
    api = api_as(user)
    assert {row["id"] for row in api.get(URL).json()["results"]} == (
        {inspection.pk} if sees else set()
    )
    detail = api.get(f"{URL}{inspection.pk}/")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert {row["id"] for row in detail.json()["rectifications"]} == ids
    assert {row["id"] for row in api.get(RECTIFICATIONS).json()["results"]} == ids
    pages = client_as(user)
    listed = pages.get("/supervision/inspections/")
    assert listed.status_code == (200 if role != "village_a1_rep" else 200)
    assert (inspection.get_absolute_url() in listed.content.decode()) == sees
    page = pages.get(inspection.get_absolute_url())
    assert page.status_code == (200 if sees else 404)
    if sees:
        shown = {
            r.pk for r in rectifications if f'id="rectification-{r.pk}"' in page.content.decode()
        }
        assert shown == ids
    download = pages.get(evidence.get_absolute_url())
    assert download.status_code == (200 if 0 in visible else 404)
    assert pages.get("/supervision/inspections/new/").status_code == (200 if records else 403)


def test_an_inspection_and_its_rectifications_through_the_api(
    clock, api_as, county, county_admin, township_a_staff, dept_liaison, leader
):
    # api_as re-authenticates one client: ``as_(user)`` before every request.
    def post(user, url, body):
        return api_as(user).post(url, body, format="json")

    body = {
        "unit": county.township_a.pk,
        "held_on": "2026-11-20",
        "team": "王芳",
        "checklist": [{"item": "台账", "finding": "缺失"}],
        "findings": "台账缺失",
        "rectifications": [
            {"text": "补齐台账", "owner": county.township_a.pk, "deadline": "2026-11-25"},
            {"text": "建立制度", "owner": county.township_a.pk, "deadline": "2026-11-20"},
        ],
    }
    response = post(county_admin, URL, body)
    assert response.status_code == 201, response.json()
    assert response.json()["attachments"] == []
    assert response.json()["checklist"] == [{"item": "台账", "finding": "缺失"}]
    rows = response.json()["rectifications"]  # by deadline
    assert [(row["deadline"], row["light"], row["light_reason"]) for row in rows] == [
        ("2026-11-20", "red", "overdue"),
        ("2026-11-25", "yellow", "due_soon"),
    ]
    first = Rectification.objects.get(pk=rows[1]["id"])
    url = f"{RECTIFICATIONS}{first.pk}/"
    # Verifying before submission, submitting by the wrong unit or without text: refused.
    response = post(county_admin, f"{url}verify/", {"comment": "核查"})
    assert response.status_code == 400 and "comment" in response.json()
    assert post(dept_liaison, f"{url}submit/", {"text": "x"}).status_code == 404
    response = post(township_a_staff, f"{url}submit/", {"text": ""})
    assert response.status_code == 400 and "text" in response.json()
    response = post(township_a_staff, f"{url}submit/", {"text": "已补齐"})
    assert response.json()["state"] == "submitted"
    # Only county staff verify, with a comment.
    assert post(township_a_staff, f"{url}verify/", {"comment": "自验"}).status_code == 403
    assert post(leader, f"{url}verify/", {"comment": "可"}).status_code == 403
    response = post(county_admin, f"{url}verify/", {"comment": ""})
    assert response.status_code == 400 and "comment" in response.json()
    response = post(county_admin, f"{url}return/", {"reason": "缺照片"})
    assert (response.json()["state"], response.json()["return_count"]) == ("open", 1)
    post(township_a_staff, f"{url}submit/", {"text": "已补照片"})
    response = post(county_admin, f"{url}verify/", {"comment": "属实"})
    assert (response.json()["state"], response.json()["light_reason"]) == ("verified", "done")
    assert Rectification.objects.get(pk=first.pk).verified_by == county_admin


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": "2026-11-24"}, "held_on"),
        ({"unit": None}, "unit"),
        ({"rectifications": [{"text": "a", "deadline": "2026-12-01"}]}, "rectifications"),
        ({"rectifications": [{"text": "a", "owner": "A"}]}, "rectifications"),
        (
            {"rectifications": [{"text": "a", "owner": "A", "deadline": "2026-11-01"}]},
            "rectifications",
        ),
        ({"checklist": [{"finding": "x"}]}, "checklist"),
    ],
)
def test_bad_inspections_through_the_api_write_nothing(
    clock, api_as, county, county_admin, change, field
):
    for row in change.get("rectifications", []):
        if "owner" in row:
            row["owner"] = county.township_a.pk
    body = {
        "unit": county.township_a.pk,
        "held_on": "2026-11-20",
        "team": "王芳",
        "findings": "台账缺失",
        "rectifications": [
            {"text": "补齐台账", "owner": county.township_a.pk, "deadline": "2026-11-25"}
        ],
    } | change
    response = api_as(county_admin).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Inspection.objects.exists() and not Rectification.objects.exists()


def test_record_submit_and_verify_on_the_pages(
    clock, client_as, county, county_admin, township_a_staff
):
    admin = client_as(county_admin)
    form = {
        "unit": county.township_a.pk,
        "held_on": "2026-11-20",
        "team": "王芳、李静",
        "checklist": "妇女之家台账：活动记录缺失\n执委履职",
        "findings": "活动记录缺失",
        "rectifications-TOTAL_FORMS": "2",
        "rectifications-INITIAL_FORMS": "0",
        "rectifications-0-text": "补齐活动记录",
        "rectifications-0-owner": county.township_a.pk,
        "rectifications-0-deadline": "",
        "rectifications-1-text": "",
    }
    response = admin.post("/supervision/inspections/new/", form)
    assert response.status_code == 200 and not Inspection.objects.exists()
    response = admin.post(
        "/supervision/inspections/new/", form | {"rectifications-0-deadline": "2026-11-30"}
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == inspection.get_absolute_url()
    assert inspection.checklist == [
        {"item": "妇女之家台账", "finding": "活动记录缺失"},
        {"item": "执委履职", "finding": ""},
    ]
    rectification = Rectification.objects.get()
    step = f"/supervision/rectifications/{rectification.pk}/"

    desk = client_as(township_a_staff)
    page = desk.get(inspection.get_absolute_url()).content.decode()
    assert 'data-testid="submit-rectification"' in page
    assert 'data-testid="verify-rectification"' not in page
    assert rectification.get_absolute_url() in desk.get("/").content.decode()  # her to-do
    desk.post(step, {"action": "submit", "text": ""})
    assert Rectification.objects.get().state == "open"
    desk.post(step, {"action": "submit", "text": "已补齐"})
    assert Rectification.objects.get().state == "submitted"
    assert desk.post(step, {"action": "verify", "comment": "自验"}).status_code == 302
    assert Rectification.objects.get().state == "submitted"

    admin = client_as(county_admin)  # one client, logged in again
    page = admin.get(inspection.get_absolute_url()).content.decode()
    assert 'data-testid="verify-rectification"' in page
    admin.post(step, {"action": "verify", "comment": ""})
    assert Rectification.objects.get().state == "submitted"
    admin.post(step, {"action": "verify", "comment": "现场核查属实"})
    assert Rectification.objects.get().state == "verified"


def test_the_list_filters(clock, client_as, api_as, county, county_admin, township_a_staff):
    first = inspect(county_admin, county)
    second = inspect(
        county_admin,
        county,
        unit=county.department,
        rectifications=[],
    )
    api = api_as(county_admin)

    def ids(query):
        return {row["id"] for row in api.get(URL, query).json()["results"]}

    assert ids({"unit": county.department.pk}) == {second.pk}
    assert ids({"year": 2026}) == {first.pk, second.pk}
    assert ids({"year": 2025}) == set()
    assert ids({"unverified": "true"}) == {first.pk}
    assert ids({"unverified": "false"}) == {second.pk}
    light = {row["id"] for row in api.get(RECTIFICATIONS, {"light": "yellow"}).json()["results"]}
    assert light == set()
    clock.move_to(at(2026, 11, 28, 9, 0))
    light = {row["id"] for row in api.get(RECTIFICATIONS, {"light": "yellow"}).json()["results"]}
    assert light == {first.rectifications.get(owner=county.township_a).pk}
    page = client_as(county_admin).get("/supervision/inspections/", {"unverified": "true"})
    assert page.status_code == 200 and first.get_absolute_url() in page.content.decode()


# API: the request's savepoint and its release, the count, the rows, the deadline rules (the
# lights' warning days), and for inspections the rectifications she may see, their evidence
# and the record files (for rectifications: their evidence). Pages: the session (read, saved),
# the user, her memberships, the count, the rows, the filter's units, and the navbar's unread
# count.
PINNED = {
    ("county_admin", URL): 8,
    ("township_a_staff", URL): 8,
    ("county_admin", RECTIFICATIONS): 6,
    ("dept_liaison", RECTIFICATIONS): 6,
    ("county_admin", "/supervision/inspections/"): 12,
    ("township_a_staff", "/supervision/inspections/"): 12,
}


@pytest.mark.parametrize(("role", "url"), list(PINNED))
def test_query_count_is_pinned(role, url, clock, county, county_admin, request, api_as, client_as):
    user = request.getfixturevalue(role)

    def grow(count):
        for _index in range(count):
            inspection = inspect(county_admin, county)
            township = inspection.rectifications.get(owner=county.township_a)
            services.submit_rectification(
                User.objects.get(username="township_a_staff"),
                township,
                text="已整改",
                files=[SimpleUploadedFile("p.png", PNG, content_type="image/png")],
            )

    def count():
        fresh = User.objects.get(pk=user.pk)
        client = api_as(fresh) if url.startswith("/api/") else client_as(fresh)
        clear_calendar_cache()
        client.get(url, {"page_size": 500})  # the rules' cache is warm afterwards
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"page_size": 500})
        assert response.status_code == 200
        return len(context.captured_queries)

    request.getfixturevalue("township_a_staff")
    request.getfixturevalue("dept_liaison")
    grow(2)
    at_two = count()
    grow(10)
    assert (at_two, count()) == (PINNED[(role, url)],) * 2
