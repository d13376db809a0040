"""Liaison work on the to-do list: her households and cases, the township's escalated cases and
villages below the coverage target; titles never carry a case's text or a full name."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core import todo
from apps.liaison import services
from apps.liaison.models import Contact, CoverageTarget
from apps.liaison.todo import villages_below_target
from apps.organizations.models import OrgUnit

SECRET = "丈夫酒后殴打，已报警"


def items_of(user, kind=None):
    return [item for item in todo.todo_for(user) if kind is None or item.kind == kind]


def household(rep, name="王秀英", risk="green", **fields):
    return Contact.objects.create(unit=rep.unit, representative=rep, name=name, risk=risk, **fields)


@pytest.fixture
def sensitive_case(village_a1_rep, rep_a1):
    red = household(rep_a1, name="赵红梅", risk="red")
    return services.open_case(village_a1_rep, contact=red, category="violence", description=SECRET)


def test_a_sensitive_case_waits_on_her_list_to_be_escalated(village_a1_rep, sensitive_case):
    [item] = items_of(village_a1_rep, "case-unescalated")
    assert item.id == sensitive_case.pk
    assert item.url == f"/liaison/cases/{sensitive_case.pk}/"
    assert item.light == "yellow"  # due within the 24 hours
    assert "赵*" in item.title and "赵红梅" not in item.title and SECRET not in item.title

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        [item] = items_of(village_a1_rep, "case-unescalated")
    assert (item.light, item.light_reason) == ("red", "overdue")


def test_once_escalated_it_leaves_her_list_and_reaches_the_township_masked(
    village_a1_rep, township_a_staff, village_b1_rep, sensitive_case
):
    assert items_of(township_a_staff, "case-escalated") == []  # not theirs to open yet
    services.escalate_case(village_a1_rep, sensitive_case)

    assert items_of(village_a1_rep, "case-unescalated") == []
    [item] = items_of(township_a_staff, "case-escalated")
    assert item.id == sensitive_case.pk
    assert "赵*" in item.title and "赵红梅" not in item.title and SECRET not in item.title
    assert items_of(village_b1_rep) == []


def test_her_cases_past_their_deadline(village_a1_rep, rep_a1, household_a1):
    case = services.open_case(
        village_a1_rep, contact=household_a1, category="hardship", description="家中缺粮，孩子辍学"
    )
    assert items_of(village_a1_rep, "case-overdue") == []
    with time_machine.travel(case.state_deadline + timedelta(hours=1)):
        [item] = items_of(village_a1_rep, "case-overdue")
    assert (item.id, item.light) == (case.pk, "red")
    assert "缺粮" not in item.title


def test_her_households_due_a_visit_and_only_hers(
    village_a1_rep, rep_a1, household_a1, rep_b1, household_b1, township_a_staff
):
    Contact.objects.filter(pk=household_a1.pk).update(
        last_visited_on=timezone.localdate() - timedelta(days=200)
    )
    [item] = items_of(village_a1_rep, "household-visit")
    assert (item.id, item.title, item.light) == (household_a1.pk, "张**", "red")
    assert items_of(township_a_staff, "household-visit") == []


def test_villages_below_the_coverage_target_in_one_query(
    county, township_a_staff, village_a1_rep, rep_a1, household_a1
):
    today = timezone.localdate()
    for number in range(4):
        household(rep_a1, name=f"未访{number}")
    services.log_visit(
        village_a1_rep, visited_on=today, mode="home", contacts=[household_a1], summary="走访"
    )
    [item] = items_of(township_a_staff, "village-coverage")
    assert item.id == county.village_a1.pk
    assert "20%" in item.title and "80%" in item.title
    assert item.url == "/liaison/coverage/?level=village"

    # The target is the admin's to set; at 20% the village is no longer behind.
    CoverageTarget.objects.create(percent=20)
    assert items_of(township_a_staff, "village-coverage") == []

    villages = OrgUnit.objects.filter(parent=county.township_a)
    with CaptureQueriesContext(connection) as queries:
        list(villages_below_target(villages, start=today.replace(month=1, day=1), end=today))
    assert len(queries) == 1


def test_the_lists_cost_the_same_however_many_rows(
    village_a1_rep, rep_a1, township_a_staff, django_assert_num_queries
):
    def grow(count):
        for number in range(count):
            contact = household(rep_a1, name=f"联系户{number}", risk="red")
            case = services.open_case(
                village_a1_rep, contact=contact, category="violence", description=SECRET
            )
            if number % 2:
                services.escalate_case(village_a1_rep, case)
        Contact.objects.filter(representative=rep_a1).update(
            created_at=timezone.now() - timedelta(days=30)
        )

    def count(user, items):
        user = type(user).objects.get(pk=user.pk)  # memberships read afresh, as in a request
        with CaptureQueriesContext(connection) as queries:
            assert len(todo.todo_for(user)) == items
        return len(queries)

    grow(2)
    # Her memberships, her reports due and her households to visit (kinds that build their own
    # lists); one query asking every other kind of hers for its open ids (reports returned, the
    # sensitive and the overdue cases, the pathway's 查访, protection orders and mandatory
    # reports); then one for each kind with something open: her unescalated cases.
    assert count(village_a1_rep, 1 + 2) == 3 + 1 + 1
    # The same for the township: memberships, its own reports due and the villages below target
    # (A1, whose households nobody visited), which build their own lists; one query asking the
    # rest; then the escalated cases, its only other kind with work.
    assert count(township_a_staff, 1 + 1) == 3 + 1 + 1
    grow(8)
    assert count(village_a1_rep, 5 + 10) == 3 + 1 + 1
    assert count(township_a_staff, 5 + 1) == 3 + 1 + 1
