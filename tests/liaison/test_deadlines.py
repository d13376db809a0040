"""Case state deadlines and household visits, judged by the deadline engine at frozen times."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from apps.core import deadlines
from apps.core.deadlines import Light, Reason
from apps.liaison import services
from apps.liaison.deadlines import CASES, HOUSEHOLDS
from apps.liaison.models import Contact

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def open_case(user, household, category="hardship"):
    with time_machine.travel(MONDAY):
        return services.open_case(
            user, contact=household, category=category, description="需要帮助"
        )


def test_a_case_state_deadline_comes_from_the_rule(village_a1_rep, household_a1):
    case = open_case(village_a1_rep, household_a1)
    assert case.state_deadline == MONDAY + timedelta(days=3)


def test_a_case_due_today_is_due_soon_and_a_day_past_is_overdue(village_a1_rep, household_a1):
    case = open_case(village_a1_rep, household_a1)
    assert CASES.status_of(case, MONDAY).reason == Reason.ON_TRACK
    due_today = CASES.status_of(case, case.state_deadline - timedelta(hours=2))
    assert (due_today.light, due_today.reason) == (Light.YELLOW, Reason.DUE_SOON)
    past = CASES.status_of(case, case.state_deadline + timedelta(days=1))
    assert (past.light, past.reason) == (Light.RED, Reason.OVERDUE)


def test_a_case_deadline_on_a_weekend_moves_to_monday(village_a1_rep, household_a1):
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)):  # a Wednesday
        case = services.open_case(
            village_a1_rep, contact=household_a1, category="hardship", description="x"
        )
    assert case.state_deadline == datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


def test_a_sensitive_case_must_be_escalated_within_24_hours(village_a1_rep, household_a1):
    case = open_case(village_a1_rep, household_a1, category="violence")
    assert case.state_deadline == case.respond_by == MONDAY + timedelta(hours=24)
    assert CASES.status_of(case, MONDAY + timedelta(hours=25)).light == Light.RED


def test_an_overdue_sensitive_case_is_flagged_red_on_its_page_and_the_list(
    client_as, village_a1_rep, household_a1
):
    case = open_case(village_a1_rep, household_a1, category="violence")
    client = client_as(village_a1_rep)
    with time_machine.travel(MONDAY + timedelta(days=2)):
        page = client.get(f"/liaison/cases/{case.pk}/").content.decode()
        listing = client.get("/liaison/cases/").content.decode()
    for html in (page, listing):
        assert 'data-testid="sensitive-overdue"' in html
        assert 'data-light="red"' in html


def test_cases_expose_their_light_in_the_api(api_as, village_a1_rep, household_a1):
    case = open_case(village_a1_rep, household_a1)
    with time_machine.travel(MONDAY + timedelta(days=4)):
        row = api_as(village_a1_rep).get(f"/api/v1/cases/{case.pk}/").json()
    assert (row["light"], row["light_reason"]) == ("red", "overdue")


def visited(household, on):
    Contact.objects.filter(pk=household.pk).update(last_visited_on=on)
    return Contact.objects.with_details().get(pk=household.pk)


def test_a_household_is_due_a_visit_by_her_risk_colour(household_a1):
    """Yellow households are due every 90 days (the default interval)."""
    Contact.objects.filter(pk=household_a1.pk).update(risk="yellow")
    household = visited(household_a1, date(2026, 8, 29))
    assert HOUSEHOLDS.due_of(household) == date(2026, 11, 27)
    assert HOUSEHOLDS.status_of(household, date(2026, 11, 1)).reason == Reason.ON_TRACK
    assert HOUSEHOLDS.status_of(household, date(2026, 11, 27)).reason == Reason.DUE_SOON
    assert HOUSEHOLDS.status_of(household, date(2026, 11, 28)).reason == Reason.OVERDUE


def test_households_expose_their_light_in_the_api(api_as, village_a1_rep, household_a1):
    visited(household_a1, date(2025, 1, 1))
    rows = api_as(village_a1_rep).get("/api/v1/contacts/").json()["results"]
    assert (rows[0]["light"], rows[0]["light_reason"]) == ("red", "overdue")


def test_the_households_list_shows_the_light(client_as, village_a1_rep, household_a1):
    visited(household_a1, date(2025, 1, 1))
    html = client_as(village_a1_rep).get("/liaison/households/").content.decode()
    assert 'data-light-reason="overdue"' in html


def test_open_items_is_one_query_per_kind(django_assert_num_queries, village_a1_rep, household_a1):
    open_case(village_a1_rep, household_a1)
    visited(household_a1, date(2025, 1, 1))
    village_a1_rep = type(village_a1_rep).objects.get(pk=village_a1_rep.pk)
    with django_assert_num_queries(3):  # memberships; the cases; the households
        rows = [
            (kind.name, status.reason)
            for kind, _item, status in deadlines.open_items(
                village_a1_rep, names={"case", "household"}
            )
        ]
    assert ("household", "overdue") in rows
