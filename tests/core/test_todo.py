"""待办 against the demo county: every role's GET /api/v1/todo/ holds a handful of real items of
its own kinds, most urgent first; home pages show the same list; the queries are pinned."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils.html import escape

from apps.accounts.models import User
from apps.core import todo
from apps.core.deadlines import clear_calendar_cache
from apps.liaison.models import Case, Contact
from apps.liaison.todo import villages_below_target
from apps.objectives.models import ProgressReport, Reward, UnitScore
from apps.organizations.models import OrgUnit

LIGHTS = ["red", "yellow", "green"]
KINDS = {
    "village": {
        "report-due",
        "report-returned",
        "household-visit",
        "case-overdue",
        "case-unescalated",
        "follow-up-visit",
        "protection-order",
        "mandatory-report",
    },
    "township": {
        "report-review",
        "case-escalated",
        "village-coverage",
        "report-due",
        "report-returned",
        "protection-order",
        "mandatory-report",
        "incoming-referral",
        "supervision-item",
        "supervision-progress",
        "supervision-approval",
        "rectification",
    },
    "admin": {
        "report-review",
        "innovation-review",
        "reward-confirm",
        "case-escalated",
        "protection-order",
        "mandatory-report",
        "incoming-referral",
        "supervision-request",
        "supervision-feedback",
        "rectification-verify",
    },
    "leader": {"reward-approve"},
    "dept": set(),
}


def user(name):
    return User.objects.get(username=name)


def todo_of(api_as, name):
    response = api_as(user(name)).get("/api/v1/todo/")
    assert response.status_code == 200
    return response.json()


def assert_most_urgent_first(items):
    """Red, then yellow, then green; each kind's items by due date within a colour."""
    lights = [LIGHTS.index(item["light"]) for item in items]
    assert lights == sorted(lights)
    for light in set(lights):
        for kind in {item["kind"] for item in items}:
            dues = [i["due"] for i in items if i["kind"] == kind and i["light"] == LIGHTS[light]]
            assert dues == sorted(dues)


def assert_each_opens(client_as, name, items):
    """Every link leads to a page the user may open: the item's own page, or its list."""
    client = client_as(user(name))
    for item in {item["kind"]: item for item in items}.values():
        assert client.get(item["url"]).status_code == 200, item


@pytest.mark.parametrize("name", ["village", "township", "admin", "leader"])
def test_each_role_has_a_handful_of_real_items_of_its_kinds(db, demo_day, api_as, client_as, name):
    items = todo_of(api_as, name)
    kinds = {item["kind"] for item in items}
    assert kinds <= KINDS[name]
    assert (2 if name == "leader" else 3) <= len(items) <= 100
    assert set(items[0]) >= {"kind", "title", "due", "light", "light_reason", "url", "id"}
    assert_most_urgent_first(items)
    assert_each_opens(client_as, name, items)


def test_the_village_rep_reports_due_and_returned_and_escalates(db, demo_day, api_as):
    rep = user("village")
    items = todo_of(api_as, "village")
    kinds = {item["kind"] for item in items}
    assert {"report-due", "report-returned", "case-unescalated"} <= kinds
    returned = [item["id"] for item in items if item["kind"] == "report-returned"]
    assert set(ProgressReport.objects.filter(pk__in=returned).values_list("status", flat=True)) == {
        "returned"
    }
    for item in items:
        if item["kind"] == "report-due":
            assert resolve(item["url"]).url_name == "objective-detail"
        if item["kind"].startswith("case"):
            case = Case.objects.select_related("contact").get(pk=item["id"])
            assert case.representative.user == rep
            assert case.contact.name not in item["title"]
            assert case.description not in item["title"]


def test_the_township_reviews_its_villages_oldest_first_and_handles_its_cases(db, demo_day, api_as):
    township = user("township").primary_membership.unit
    items = todo_of(api_as, "township")
    reviews = [item["id"] for item in items if item["kind"] == "report-review"]
    assert reviews
    submitted = ProgressReport.objects.in_bulk(reviews)
    assert [submitted[pk].submitted_at for pk in reviews] == sorted(
        submitted[pk].submitted_at for pk in reviews
    )
    assert all(report.status == "submitted" for report in submitted.values())
    cases = Case.objects.filter(
        pk__in=[item["id"] for item in items if item["kind"] == "case-escalated"]
    )
    assert cases.exists()
    assert set(cases.values_list("escalated_to", flat=True)) == {township.pk}


def test_a_village_behind_on_visits_is_on_its_township_list(db, demo_day, api_as, client_as):
    township = user("township").primary_membership.unit
    village = OrgUnit.objects.filter(parent=township, contacts__isnull=False).first()
    rep = Contact.objects.filter(unit=village).first().representative
    linked = Contact.objects.filter(unit=village).count()
    Contact.objects.bulk_create(
        Contact(unit=village, representative=rep, name=f"新户{number}") for number in range(linked)
    )
    [item] = [item for item in todo_of(api_as, "township") if item["kind"] == "village-coverage"]
    assert item["id"] == village.pk and village.name in item["title"]
    # The same figure the coverage page shows for the village.
    page = client_as(user("township")).get(item["url"])
    row = next(row for row in page.context["rows"] if row["name"] == village.name)
    assert f"{row['coverage']}%" in item["title"]
    assert row["coverage"] < 80


def test_the_county_reviews_what_it_handed_to_the_townships(db, demo_day, api_as):
    items = todo_of(api_as, "admin")
    reviews = ProgressReport.objects.filter(
        pk__in=[item["id"] for item in items if item["kind"] == "report-review"]
    ).select_related("objective__assignee_unit")
    assert reviews
    assert {report.objective.assignee_unit.kind for report in reviews} == {"township"}
    assert "innovation-review" in {item["kind"] for item in items}


def test_rewards_wait_for_the_county_to_confirm_and_the_leader_to_approve(db, demo_day, api_as):
    """Last year's demo assessment is closed: its proposals wait for the county staff, the
    ones they confirmed for the leader."""
    rewards = Reward.objects.filter(plan__period__is_closed=True).order_by("updated_at", "pk")
    proposed = list(rewards.filter(status="proposed").values_list("pk", flat=True))
    confirmed = list(rewards.filter(status="confirmed").values_list("pk", flat=True))
    assert proposed and confirmed
    confirm = [item for item in todo_of(api_as, "admin") if item["kind"] == "reward-confirm"]
    assert [item["id"] for item in confirm] == proposed
    plan = rewards.first().plan_id
    assert {item["url"] for item in confirm} == {
        f"/objectives/rewards/?plan={plan}&status=proposed"
    }
    leader = todo_of(api_as, "leader")
    assert [(item["kind"], item["id"]) for item in leader] == [
        ("reward-approve", pk) for pk in confirmed
    ]
    assert {item["url"] for item in leader} == {
        f"/objectives/rewards/?plan={plan}&status=confirmed"
    }


def test_a_department_liaison_answers_the_demo_referrals(db, demo_day, api_as):
    # The demo refers five cases to 县教育局 (two sent, one accepted, one in progress, one
    # done), and the demo year may leave a few more open there. Besides them, her department's
    # open joint-meeting decision and supervised items.
    from apps.coordination.models import Referral

    items = todo_of(api_as, "dept")
    referrals = [item for item in items if item["kind"] == "referral"]
    still_open = Referral.objects.for_user(user("dept")).open().count()
    assert len(referrals) == still_open >= 4
    assert all(item["url"].startswith("/coordination/referrals/") for item in referrals)
    assert "meeting_decision" in {item["kind"] for item in items}


def test_the_home_pages_show_the_same_list(db, demo_day, client_as):
    for name in ["village", "township", "admin", "leader", "dept"]:
        items = todo.todo_for(user(name))
        html = client_as(user(name)).get("/").content.decode()
        assert html.count('data-testid="todo-item"') == min(len(items), todo.HOME_LIMIT)
        for item in items[:3]:
            assert escape(item.url) in html


def test_the_rep_sees_her_list_and_her_score_on_her_phone_home(db, demo_day, client_as):
    rep = user("village")
    html = client_as(rep).get("/liaison/").content.decode()
    items = todo.todo_for(rep)
    assert html.count('data-testid="todo-item"') == min(len(items), todo.HOME_LIMIT)
    score = UnitScore.objects.get(unit=rep.primary_membership.unit, person=None)
    assert f'href="/objectives/scores/{score.pk}/"' in html
    assert str(score.score) in html
    assert client_as(rep).get(f"/objectives/scores/{score.pk}/").status_code == 200


# Her memberships; the holiday calendar and the deadline rules, each read once (a request reads
# them afresh) as soon as any item is judged (a department's referrals have stored limits and read
# no calendar); one query for each kind that builds its list itself (the rep's and the township's
# reports due, the rep's households to visit, the township's villages behind on visits) or is her
# only one (the leader's rewards to approve); ONE query asking every other kind for its open ids;
# then one per kind with something open. More rows cost nothing more.
FIXED_QUERIES = {
    "village": 1 + 2 + 2 + 1,
    "township": 1 + 2 + 2 + 1,
    "admin": 1 + 2 + 0 + 1,
    "leader": 1 + 2 + 1 + 0,
    "dept": 1 + 1 + 0 + 1,
}
BUILT_ALONE = {"report-due", "household-visit", "village-coverage", "reward-approve"}


@pytest.mark.parametrize("name", list(FIXED_QUERIES))
def test_queries_grow_with_the_kinds_that_have_work_not_with_the_rows(db, demo_day, name):
    def count():
        fresh = user(name)
        clear_calendar_cache()  # as every request starts
        with CaptureQueriesContext(connection) as queries:
            items = todo.todo_for(fresh)
        return len(queries), {item.kind for item in items} - BUILT_ALONE

    queries, asked_and_open = count()
    assert queries == FIXED_QUERIES[name] + len(asked_and_open)
    # Many more reports awaiting review, returned, cases escalated and households due.
    ProgressReport.objects.filter(status="approved", pk__lte=3000).update(status="submitted")
    ProgressReport.objects.filter(status="approved", pk__lte=6000).update(status="returned")
    Case.objects.filter(state="in_progress").update(state="escalated")
    Contact.objects.update(last_visited_on=None)
    queries, asked_and_open = count()
    assert queries == FIXED_QUERIES[name] + len(asked_and_open)


@pytest.mark.parametrize("name", ["village", "township", "admin", "dept"])  # the leader has one
def test_kinds_asked_together_find_what_each_finds_alone(db, demo_day, name):
    """The same items in the same order, with what their lines read already loaded."""
    fresh = user(name)
    alone = [(kind.name, item.pk) for kind in todo.kinds_for(fresh) for item in kind.items(fresh)]
    together = [(kind.name, item.pk) for kind, items in todo.open_items(fresh) for item in items]
    assert together == alone
    assert len({kind for kind, _pk in alone}) > 1


def test_villages_below_target_is_one_query_over_all_villages(db, demo_day):
    villages = OrgUnit.objects.filter(kind="village")
    with CaptureQueriesContext(connection) as queries:
        list(villages_below_target(villages, start=date(2026, 1, 1), end=date(2026, 11, 27)))
    assert len(queries) == 1


def test_the_api_documents_the_list_and_asks_who_you_are(api_client, db):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    listed = schema.json()["paths"]["/api/v1/todo/"]["get"]["responses"]["200"]
    fields = listed["content"]["application/json"]["schema"]["items"]["$ref"]
    assert fields.endswith("/TodoItem")
    assert api_client.get("/api/v1/todo/").status_code in {401, 403}
