"""GET /api/v1/dashboard/: who may read it, bad input, and a query count that does not grow
with the data (the bigger set is built with bulk inserts)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.dashboards import services as dashboards
from apps.dashboards.models import CaseMonth, UnitMonth
from apps.objectives.models import InnovationItem, Objective, ObjectivePlan
from apps.organizations.models import OrgUnit
from apps.supervision.models import SupervisionItem

URL = "/api/v1/dashboard/"


def test_the_leader_reads_the_county(world, county, leader, api_as):
    response = api_as(leader).get(URL, {"period": world.period.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["unit"]["id"] == county.county.pk
    assert body["previous_period"]["id"] == world.previous.pk
    assert set(body["panels"]) == {
        "assessment",
        "objectives",
        "supervision",
        "cases",
        "referrals",
        "liaison",
        "innovation",
    }


def test_a_unit_narrows_the_view_inside_the_area(world, county, township_a_staff, api_as):
    client = api_as(township_a_staff)
    assert client.get(URL).json()["unit"]["id"] == county.township_a.pk
    response = client.get(URL, {"unit": county.village_a1.pk})
    assert response.status_code == 200
    assert response.json()["breadcrumbs"] == [
        {"id": county.township_a.pk, "name": "甲镇"},
        {"id": county.village_a1.pk, "name": "甲一村"},
    ]
    assert client.get(URL, {"unit": county.township_b.pk}).status_code == 404
    assert client.get(URL, {"unit": county.county.pk}).status_code == 404
    assert client.get(URL, {"unit": "x"}).status_code == 404


def test_bad_period_is_a_clear_error(world, leader, api_as):
    response = api_as(leader).get(URL, {"period": 999999})
    assert response.status_code == 400
    assert "period" in response.json()


@pytest.mark.parametrize("persona", ["village_a1_rep", "dept_liaison"])
def test_representatives_and_liaisons_are_refused(world, persona, request, api_as):
    assert api_as(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_anonymous_callers_are_refused(world, api_client):
    assert api_client.get(URL).status_code in (401, 403)


def add_units(parent, kind, name, codes):
    """Bulk-insert units of ``kind`` under ``parent``, one per code, named ``name`` and their
    number."""
    return OrgUnit.objects.bulk_create(
        OrgUnit(
            name=f"{name}{n}",
            code=code,
            kind=kind,
            parent=parent,
            path=f"{parent.path}{code}/",
        )
        for n, code in enumerate(codes)
    )


def grow(county, leader, period, villages, first=0):
    """Bulk-insert villages with a year of rollups, supervised items, objectives and awarded
    innovation items: ten times the small world and more."""
    today = timezone.localdate()
    new = add_units(
        county.township_a,
        OrgUnit.Kind.VILLAGE,
        "新村",
        [f"100101{500 + first + n}" for n in range(villages)],
    )
    months = [date(today.year, m, 1) for m in range(1, today.month + 1)]
    UnitMonth.objects.bulk_create(
        UnitMonth(unit=v, month=m, visits=3, households_linked=9, visits_made_red=1)
        for v in new
        for m in months
    )
    CaseMonth.objects.bulk_create(
        CaseMonth(unit=v, month=m, category=c, cases=2, sensitive=1, on_time=1)
        for v in new
        for m in months
        for c in ("violence", "hardship")
    )
    now = timezone.now()
    SupervisionItem.objects.bulk_create(
        SupervisionItem(
            title=f"督办{first + n}",
            description="x",
            source="superior",
            lead_unit=county.township_a if n % 2 else county.department,
            assigned_at=now - timedelta(days=n % 20),
            accept_due=now,
            deadline=today - timedelta(days=n % 3),
            original_deadline=today,
            created_by=leader,
        )
        for n in range(villages * 2)
    )
    plan, _ = ObjectivePlan.objects.get_or_create(
        period=period, unit=county.county, title="目标", status="published"
    )
    Objective.objects.bulk_create(
        Objective(
            plan=plan,
            category="rights",
            title=f"目标{n}",
            target=Decimal(10),
            weight=Decimal(1),
            due_date=today + timedelta(days=n % 40),
            assignee_unit=v,
            published_at=now,
            completion=Decimal("0.5"),
        )
        for n, v in enumerate(new)
    )
    InnovationItem.objects.bulk_create(
        InnovationItem(
            plan=plan,
            unit=v,
            title=f"创新{n}",
            description="x",
            claimed_points=Decimal(2),
            awarded_points=Decimal(1),
            status="awarded",
            claimed_by=leader,
        )
        for n, v in enumerate(new)
    )
    # The panels read the nightly area rows and tallies: sum and count as the night does.
    dashboards.refresh_area_rows(months=months)
    dashboards.refresh_objective_tallies()


def fresh(user):
    """The user as a new request loads her (memberships are cached on the instance)."""
    return type(user).objects.get(pk=user.pk)


def test_query_count_does_not_grow_with_the_data(
    world, county, leader, api_as, django_assert_num_queries
):
    grow(county, leader, world.period, villages=4)
    with django_assert_num_queries(QUERIES):
        small = api_as(fresh(leader)).get(URL, {"period": world.period.pk})
    grow(county, leader, world.period, villages=36, first=4)
    with django_assert_num_queries(QUERIES):
        big = api_as(fresh(leader)).get(URL, {"period": world.period.pk})
    assert small.status_code == big.status_code == 200
    townships = {row["name"]: row for row in big.json()["panels"]["cases"]["by_unit"]}
    assert townships["甲镇"]["sensitive"] >= 40
    objectives = {row["name"]: row for row in big.json()["panels"]["objectives"]["by_unit"]}
    assert sum(objectives["甲镇"]["counts"].values()) == 40
    assert big.json()["panels"]["innovation"]["count"] == 40
    assert big.json()["panels"]["supervision"]["overdue"]


QUERIES = 17


def test_lists_the_counts_find_empty_are_not_read(world, county, leader, api_as):
    """Nothing overdue and nothing awarded: the supervision and innovation panels' counts say
    so, and their lists are not read. Once there are some, they are."""

    def read():
        with CaptureQueriesContext(connection) as queries:
            panels = api_as(fresh(leader)).get(URL, {"period": world.period.pk}).json()["panels"]
        return len(queries), panels["supervision"]["overdue"], panels["innovation"]["items"]

    assert read() == (QUERIES - 2, [], [])
    grow(county, leader, world.period, villages=2)
    queries, overdue, awarded = read()
    assert queries == QUERIES
    # Of the four items, the two whose deadline passed, the oldest deadline first.
    assert [item["title"] for item in overdue] == ["督办2", "督办1"]
    assert len(awarded) == 2
