"""Who may open which household, visit and case (DESIGN, "Who may see what"), at every door.

Village A1 has two representatives. Each has a green household with a visit, and a red
(domestic-violence) household with a visit that raised a sensitive case; the first one's red
household also has an ordinary hardship case. Each role, and the other representative, then
tries every door: API lists, details and search, the HTML pages, the admin, notifications.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AccessLog
from apps.core.navigation import items_for
from apps.core.roles import Role
from apps.liaison import services
from apps.liaison.models import Case, Contact, Visit
from apps.notifications.models import Notification
from apps.organizations.models import Period
from tests.conftest import make_user
from tests.liaison.conftest import make_representative

DV_TEXT = "丈夫多次动手打人"
NEIGHBOUR_DV_TEXT = "被前夫跟踪威胁"


def _visit(user, household, needs=()):
    return services.log_visit(
        user,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[household],
        summary="入户走访",
        needs=[
            {"contact": household, "category": category, "description": text}
            for category, text in needs
        ],
    )


@pytest.fixture
def casework(county, rep_a1, village_a1_rep, household_a1):
    neighbour_user = make_user("neighbour_rep", Role.VILLAGE_REP, county.village_a1)
    neighbour = make_representative(neighbour_user, county.village_a1, "A1-02")

    def household(rep, name, risk):
        return Contact.objects.create(
            unit=county.village_a1, representative=rep, name=name, phone="13700001111", risk=risk
        )

    red = household(rep_a1, "王红梅", "red")
    neighbour_green = household(neighbour, "赵丽娟", "green")
    neighbour_red = household(neighbour, "孙小燕", "red")
    w = SimpleNamespace(
        own_green=household_a1,
        own_red=red,
        neighbour_green=neighbour_green,
        neighbour_red=neighbour_red,
        owner=village_a1_rep,
        neighbour=neighbour_user,
        own_green_visit=_visit(village_a1_rep, household_a1),
        own_red_visit=_visit(village_a1_rep, red, [("violence", DV_TEXT)]),
        own_hardship_visit=_visit(village_a1_rep, red, [("hardship", "缺生活费")]),
        neighbour_green_visit=_visit(neighbour_user, neighbour_green, [("employment", "想学电商")]),
        neighbour_red_visit=_visit(
            neighbour_user, neighbour_red, [("violence", NEIGHBOUR_DV_TEXT)]
        ),
    )
    w.own_dv_case = w.own_red_visit.cases.get()
    w.own_hardship_case = w.own_hardship_visit.cases.get()
    w.neighbour_case = w.neighbour_green_visit.cases.get()
    w.neighbour_dv_case = w.neighbour_red_visit.cases.get()
    return w


HOUSEHOLDS = ["own_green", "own_red", "neighbour_green", "neighbour_red"]
VISITS = [
    "own_green_visit",
    "own_red_visit",
    "own_hardship_visit",
    "neighbour_green_visit",
    "neighbour_red_visit",
]
CASES = ["own_dv_case", "own_hardship_case", "neighbour_case", "neighbour_dv_case"]

# What each role may open before anything was escalated.
MAY_OPEN = {
    "county_admin": set(HOUSEHOLDS + VISITS + CASES),
    # Only what is not sensitive: no red household, nothing raised on or about one.
    "township_a_staff": {"own_green", "neighbour_green", "own_green_visit"}
    | {"neighbour_green_visit", "neighbour_case"},
    "owner": {"own_green", "own_red", "own_green_visit", "own_red_visit"}
    | {"own_hardship_visit", "own_dv_case", "own_hardship_case"},
    "neighbour": {"neighbour_green", "neighbour_red", "neighbour_green_visit"}
    | {"neighbour_red_visit", "neighbour_case", "neighbour_dv_case"},
    "leader": set(),
    "dept_liaison": set(),
    "township_b_staff": set(),
}


@pytest.fixture
def as_role(request, county, casework):
    def _user(role):
        if role in ("owner", "neighbour"):
            return getattr(casework, role)
        if role == "township_b_staff":
            return make_user("township_b_staff", Role.TOWNSHIP_STAFF, county.township_b)
        return request.getfixturevalue(role)

    return _user


def _names(casework, objects):
    by_pk = {
        (type(getattr(casework, name)), getattr(casework, name).pk): name
        for name in HOUSEHOLDS + VISITS + CASES
    }
    return {by_pk[(type(obj), obj.pk)] for obj in objects}


def _api_ids(api, path, **params):
    response = api.get(path, {"page_size": 500, **params})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", list(MAY_OPEN))
def test_api_lists_and_details_show_exactly_what_the_role_may_open(role, as_role, casework, api_as):
    api = api_as(as_role(role))
    allowed = MAY_OPEN[role]
    for path, names in [
        ("/api/v1/contacts/", HOUSEHOLDS),
        ("/api/v1/visits/", VISITS),
        ("/api/v1/cases/", CASES),
    ]:
        expected = {getattr(casework, name).pk for name in names if name in allowed}
        assert _api_ids(api, path) == expected, path
        for name in names:
            status = api.get(f"{path}{getattr(casework, name).pk}/").status_code
            assert status == (200 if name in allowed else 404), (path, name)


@pytest.mark.parametrize("role", list(MAY_OPEN))
def test_html_lists_and_details_show_exactly_what_the_role_may_open(
    role, as_role, casework, client_as
):
    client = client_as(as_role(role))
    allowed = MAY_OPEN[role]
    for url_name, names in [("contact", HOUSEHOLDS), ("case", CASES)]:
        listed = client.get(reverse(f"liaison:{url_name}-list")).context["object_list"]
        assert _names(casework, listed) == {name for name in names if name in allowed}
        for name in names:
            url = reverse(f"liaison:{url_name}-detail", args=[getattr(casework, name).pk])
            assert client.get(url).status_code == (200 if name in allowed else 404), name


@pytest.mark.parametrize("role", list(MAY_OPEN))
def test_search_and_filters_stay_inside_what_the_role_may_open(
    role, as_role, casework, api_as, client_as
):
    user = as_role(role)
    api = api_as(user)
    for name, query in [("own_red", "王红梅"), ("neighbour_red", "孙"), ("own_green", "张桂芳")]:
        expected = {getattr(casework, name).pk} if name in MAY_OPEN[role] else set()
        assert _api_ids(api, "/api/v1/contacts/", q=query) == expected
        page = client_as(user).get(reverse("liaison:contact-list"), {"q": query})
        assert _names(casework, page.context["object_list"]) == (
            {name} if name in MAY_OPEN[role] else set()
        )
    red = _api_ids(api, "/api/v1/contacts/", risk="red")
    assert red == {
        getattr(casework, n).pk for n in ("own_red", "neighbour_red") if n in MAY_OPEN[role]
    }
    sensitive = _api_ids(api, "/api/v1/cases/", is_sensitive="true")
    assert sensitive == {
        getattr(casework, n).pk for n in ("own_dv_case", "neighbour_dv_case") if n in MAY_OPEN[role]
    }
    by_neighbour = _api_ids(
        api, "/api/v1/visits/", representative=casework.neighbour.representative.pk
    )
    assert by_neighbour == {
        getattr(casework, n).pk
        for n in ("neighbour_green_visit", "neighbour_red_visit")
        if n in MAY_OPEN[role]
    }


@pytest.mark.parametrize("role", list(MAY_OPEN))
def test_case_text_reaches_no_one_through_a_visit(role, as_role, casework, api_as, client_as):
    """The visit no longer carries a copy of the case text; its ``needs`` are read through
    the cases' rule, and the household page lists only visits the reader may open."""
    user = as_role(role)
    rows = api_as(user).get("/api/v1/visits/", {"page_size": 500}).json()["results"]
    text = "".join(row["needs"] for row in rows)
    assert (DV_TEXT in text) == ("own_dv_case" in MAY_OPEN[role])
    assert (NEIGHBOUR_DV_TEXT in text) == ("neighbour_dv_case" in MAY_OPEN[role])
    for row in rows:
        assert set(row["contacts"]) <= {
            getattr(casework, name).pk for name in HOUSEHOLDS if name in MAY_OPEN[role]
        }


def test_escalation_opens_the_case_its_household_and_its_visit_to_the_township(
    casework, township_a_staff, api_as, county
):
    services.escalate_case(casework.owner, casework.own_dv_case, note="需镇妇联介入")
    api = api_as(township_a_staff)
    pks = lambda *names: {getattr(casework, name).pk for name in names}  # noqa: E731
    assert _api_ids(api, "/api/v1/contacts/") == pks("own_green", "own_red", "neighbour_green")
    assert _api_ids(api, "/api/v1/cases/") == pks(
        "own_dv_case", "own_hardship_case", "neighbour_case"
    )
    assert _api_ids(api, "/api/v1/visits/") == pks(
        "own_green_visit", "own_red_visit", "own_hardship_visit", "neighbour_green_visit"
    )
    needs = api.get(f"/api/v1/visits/{casework.own_red_visit.pk}/").json()["needs"]
    assert needs == DV_TEXT
    # It keeps them after the case moves on to the county; the other township never sees them.
    services.escalate_case(township_a_staff, casework.own_dv_case, note="上报县妇联")
    assert casework.own_red.pk in _api_ids(api, "/api/v1/contacts/")
    other = make_user("township_b_staff", Role.TOWNSHIP_STAFF, county.township_b)
    assert _api_ids(api_as(other), "/api/v1/cases/") == set()


def test_a_visit_is_open_to_the_township_only_when_all_its_sensitive_cases_are(
    rep_a1, village_a1_rep, household_a1, township_a_staff, api_as
):
    visit = _visit(village_a1_rep, household_a1, [("violence", "甲事"), ("violence", "乙事")])
    first, second = visit.cases.order_by("pk")
    url = f"/api/v1/visits/{visit.pk}/"
    services.escalate_case(village_a1_rep, first)
    assert api_as(township_a_staff).get(url).status_code == 404
    services.escalate_case(village_a1_rep, second)
    assert api_as(township_a_staff).get(url).json()["needs"] == "甲事\n乙事"


def test_needs_leave_out_cases_the_reader_may_not_open(casework, township_a_staff, api_as):
    """A visit to her green household on which she took up a need of her red one: the township
    may open the visit, not the case about the red household."""
    visit = services.log_visit(
        casework.owner,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[casework.own_green],
        summary="x",
        needs=[{"contact": casework.own_red, "category": "hardship", "description": "邻居代诉"}],
    )
    url = f"/api/v1/visits/{visit.pk}/"
    assert api_as(township_a_staff).get(url).json()["needs"] == ""
    assert api_as(casework.owner).get(url).json()["needs"] == "邻居代诉"


def test_household_page_lists_only_visits_and_cases_the_reader_may_open(
    casework, township_a_staff, client_as
):
    # Another violence case of the red household reaches the township; the first does not.
    other = _visit(casework.owner, casework.own_red, [("violence", "另一次")])
    services.escalate_case(casework.owner, other.cases.get())
    page = client_as(township_a_staff).get(
        reverse("liaison:contact-detail", args=[casework.own_red.pk])
    )
    assert {visit.pk for visit in page.context["visits"]} == {
        casework.own_hardship_visit.pk,
        other.pk,
    }
    assert set(page.context["cases"]) == {casework.own_hardship_case, other.cases.get()}


def test_no_one_edits_a_household_they_may_not_open(casework, township_a_staff, api_as, client_as):
    for user, household in [
        (casework.owner, casework.neighbour_green),
        (township_a_staff, casework.neighbour_red),
    ]:
        url = f"/api/v1/contacts/{household.pk}/"
        assert api_as(user).patch(url, {"name": "改名"}, format="json").status_code == 404
        edit = reverse("liaison:contact-edit", args=[household.pk])
        assert client_as(user).post(edit, {"name": "改名", "risk": "green"}).status_code == 404
        household.refresh_from_db()
        assert household.name != "改名"


def test_ids_in_a_request_body_resolve_only_to_her_own_households(casework, api_as):
    api = api_as(casework.owner)
    response = api.post(
        "/api/v1/cases/",
        {"contact": casework.neighbour_red.pk, "category": "hardship", "description": "x"},
    )
    assert response.status_code == 400 and set(response.json()) == {"contact"}
    response = api.post(
        "/api/v1/visits/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "mode": "home",
            "contacts": [casework.own_green.pk],
            "summary": "x",
            "needs_raised": [
                {"contact": casework.neighbour_red.pk, "category": "hardship", "description": "x"}
            ],
        },
        format="json",
    )
    assert response.status_code == 400 and "needs_raised" in response.json()
    moved = api.patch(
        f"/api/v1/contacts/{casework.own_green.pk}/",
        {"representative": casework.neighbour.representative.pk},
        format="json",
    )
    assert moved.status_code == 400
    assert Case.objects.count() == 4 and Visit.objects.count() == 5


def test_creating_a_visit_echoes_its_needs_and_households(casework, api_as):
    response = api_as(casework.owner).post(
        "/api/v1/visits/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "mode": "home",
            "contacts": [casework.own_red.pk],
            "summary": "x",
            "needs_raised": [
                {"contact": casework.own_red.pk, "category": "violence", "description": "又动手"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["needs"], response.json()["contacts"]) == (
        "又动手",
        [casework.own_red.pk],
    )


def test_counts_still_cover_the_whole_area(
    casework, leader, township_a_staff, api_as, client_as, county
):
    year = timezone.localdate().year
    Period.objects.create(
        name=f"{year}年度", kind="year", start_date=f"{year}-01-01", end_date=f"{year}-12-31"
    )
    for user in (leader, township_a_staff, casework.owner):
        rows = api_as(user).get("/api/v1/coverage/", {"level": "village"}).json()
        assert [(row["id"], row["linked"], row["visits"], row["cases"]) for row in rows] == [
            (county.village_a1.pk, 4, 5, 4)
        ]
    page = client_as(leader).get(reverse("liaison:coverage"), {"level": "township"})
    assert [(row["name"], row["linked"]) for row in page.context["rows"]] == [("甲镇", 4)]


@pytest.mark.parametrize("role", ["leader", "dept_liaison"])
def test_menu_leads_leaders_and_departments_to_counts_not_records(role, county, request, client_as):
    user = request.getfixturevalue(role)
    urls = {entry["url"] for entry in items_for(user)}
    assert reverse("liaison:case-list") not in urls
    assert reverse("liaison:contact-list") not in urls
    assert client_as(user).get(reverse("liaison:home")).url == reverse("liaison:coverage")


def test_escalation_to_the_county_tells_its_staff_not_its_leaders(
    casework, township_a_staff, county_admin, leader
):
    services.escalate_case(casework.owner, casework.own_dv_case, note="需镇妇联介入")
    services.escalate_case(township_a_staff, casework.own_dv_case, note="上报县妇联")
    assert Notification.objects.filter(recipient=county_admin).exists()
    assert not Notification.objects.filter(recipient=leader).exists()


def test_notifications_carry_no_case_text_or_red_household_name(casework, township_a_staff):
    from datetime import timedelta

    from apps.liaison.services.reminders import send_township_reminders

    services.escalate_case(casework.owner, casework.own_dv_case, note="需镇妇联介入")
    services.escalate_case(township_a_staff, casework.own_dv_case, note="上报县妇联")
    township = casework.own_red.unit.parent
    send_township_reminders(township, now=timezone.now() + timedelta(days=10))
    notifications = list(Notification.objects.all())
    assert notifications
    for note in notifications:
        text = note.title + note.body
        for secret in (DV_TEXT, NEIGHBOUR_DV_TEXT, "王红梅", "孙小燕", "缺生活费"):
            assert secret not in text


class TestAdmin:
    def _staff(self, user):
        user.is_staff = True
        user.save()
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="liaison"))
        return user

    def test_township_staff_with_admin_rights_sees_no_liaison_data(
        self, casework, township_a_staff, client_as
    ):
        client = client_as(self._staff(township_a_staff))
        for model in ("contact", "case", "representative"):
            assert client.get(f"/admin/liaison/{model}/").status_code == 403
        url = f"/admin/liaison/contact/{casework.own_red.pk}/change/"
        assert client.get(url).status_code in (302, 403, 404)
        assert "liaison" not in client.get("/admin/").content.decode()

    def test_opening_a_household_or_sensitive_case_in_the_admin_is_logged(
        self, casework, county_admin, client_as
    ):
        client = client_as(self._staff(county_admin))
        household = casework.own_red
        assert client.get(f"/admin/liaison/contact/{household.pk}/change/").status_code == 200
        case = casework.own_dv_case
        assert client.get(f"/admin/liaison/case/{case.pk}/change/").status_code == 200
        logged = set(AccessLog.objects.values_list("record_type", "record_id"))
        assert {("liaison.contact", household.pk), ("liaison.case", case.pk)} <= logged

    def test_only_county_staff_read_the_access_log_in_the_admin(
        self, casework, township_a_staff, client_as
    ):
        township_a_staff.is_staff = True
        township_a_staff.save()
        township_a_staff.user_permissions.set(
            Permission.objects.filter(content_type__app_label="core")
        )
        client = client_as(township_a_staff)
        assert client.get("/admin/core/accesslog/").status_code == 403

    def test_county_admin_sees_every_record_of_her_county(self, casework, county_admin, client_as):
        response = client_as(self._staff(county_admin)).get("/admin/liaison/contact/")
        assert response.status_code == 200
        assert response.context["cl"].result_count == 4


@pytest.mark.parametrize("path", ["/api/v1/visits/", "/api/v1/cases/"])
def test_browsable_api_forms_offer_only_her_own_households(casework, client_as, path):
    page = client_as(casework.owner).get(path, HTTP_ACCEPT="text/html").content.decode()
    assert "王红梅" in page
    assert "赵丽娟" not in page and "孙小燕" not in page


@pytest.mark.parametrize(
    ("role", "shown"), [("leader", False), ("dept_liaison", False), ("township_a_staff", True)]
)
def test_add_household_button_only_for_roles_that_may_add(role, shown, county, request, client_as):
    page = client_as(request.getfixturevalue(role)).get(reverse("liaison:contact-list"))
    assert (reverse("liaison:contact-create") in page.content.decode()) is shown
