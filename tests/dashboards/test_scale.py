"""The dashboard at any size of the subtree below the unit shown: the same queries and the same
number of rows fetched whatever the units and records below its children; figures grouped by
child in SQL that still add up (the unit's own rows and departments included); and the nightly
objective tallies the objectives panel reads."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from apps.core.deadlines import Reason
from apps.dashboards import services
from apps.dashboards.models import CaseMonth, ObjectiveTally
from apps.dashboards.tables import tables
from apps.objectives import services as objectives
from apps.objectives.models import InnovationItem, Objective, ObjectivePlan
from apps.organizations.models import Period
from apps.supervision.models import SupervisionItem
from tests.dashboards.test_api import URL, add_units, fresh, grow


def measure(user, period, unit):
    """The dashboard of ``unit`` as ``user`` in a new request, built afresh (no panel kept
    from an earlier one): its queries, the rows they returned to Python, and the data."""
    user = fresh(user)
    services.rollups_changed()
    fetched = []

    def count_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        fetched.append(max(context["cursor"].rowcount, 0))
        return result

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(count_rows):
        data = services.dashboard(user, period, unit)
    return len(queries), sum(fetched), data


def by_name(rows):
    return {row["name"]: row for row in rows}


def test_queries_and_rows_fetched_do_not_grow_with_the_subtree(
    world, county, leader, township_a_staff
):
    # Enough to fill the capped lists (20 overdue items, 20 innovation items) from the start.
    grow(county, leader, world.period, villages=25)
    small = {
        "county": measure(leader, world.period, county.county),
        "township": measure(township_a_staff, world.period, county.township_a),
    }
    # Eight times the villages, their rollups, objectives, items, under the same townships.
    grow(county, leader, world.period, villages=175, first=25)
    big = {
        "county": measure(leader, world.period, county.county),
        "township": measure(township_a_staff, world.period, county.township_a),
    }
    # The county's children (two townships and a department) did not change: neither did its
    # queries nor the rows they returned.
    assert big["county"][:2] == small["county"][:2]
    # The township's children are the new villages: a row each, in the same queries.
    assert big["township"][0] == small["township"][0]
    panels = big["county"][2]["panels"]
    assert sum(by_name(panels["objectives"]["by_unit"])["甲镇"]["counts"].values()) == 200
    assert panels["innovation"]["count"] == 200
    # The township's view: one row per village, 202 of them, in as many queries as before.
    township = big["township"][2]["panels"]
    assert len(township["objectives"]["by_unit"]) == 202


def test_the_api_answers_in_the_same_queries_at_any_size(
    world, county, leader, api_as, django_assert_num_queries
):
    from tests.dashboards.test_api import QUERIES

    grow(county, leader, world.period, villages=2)
    with django_assert_num_queries(QUERIES):
        assert api_as(fresh(leader)).get(URL).status_code == 200
    grow(county, leader, world.period, villages=60, first=2)
    with django_assert_num_queries(QUERIES):
        assert api_as(fresh(leader)).get(URL).status_code == 200


# --- figures still right ------------------------------------------------------------------------


@pytest.fixture
def spread(world, county, leader):
    """Records on the county itself, its department, a township itself and its villages."""
    today, now = timezone.localdate(), timezone.now()
    plan = ObjectivePlan.objects.create(
        period=world.period, unit=county.county, title="目标", status="published"
    )
    owners = {
        county.county: 1,
        county.department: 2,
        county.township_a: 3,
        county.village_a1: 4,
        county.village_a2: 5,
        county.township_b: 6,
        county.village_b1: 7,
    }
    for unit, n in owners.items():
        Objective.objects.bulk_create(
            Objective(
                plan=plan,
                category=("rights", "family", "other")[k % 3],
                title=f"目标{k}",
                target=Decimal(10),
                weight=Decimal(1),
                due_date=today + timedelta(days=(k * 7) % 50 - 10),
                assignee_unit=unit,
                published_at=now,
                completion=Decimal(k % 4) / 3,
            )
            for k in range(n)
        )
        row, _new = CaseMonth.objects.get_or_create(
            unit=unit, month=today.replace(day=1), category="hardship", whole_area=False
        )
        CaseMonth.objects.filter(pk=row.pk).update(cases=F("cases") + n, sensitive=1)
        SupervisionItem.objects.bulk_create(
            SupervisionItem(
                title=f"督办{k}",
                description="x",
                source="superior",
                lead_unit=unit,
                assigned_at=now,
                accept_due=now,
                deadline=today - timedelta(days=k % 2),
                original_deadline=today,
                created_by=leader,
            )
            for k in range(n)
        )
        InnovationItem.objects.create(
            plan=plan,
            unit=unit,
            title=f"创新{n}",
            description="x",
            claimed_points=Decimal(2),
            awarded_points=Decimal(n),
            status="awarded",
            claimed_by=leader,
        )
    services.refresh_area_rows(months=[today.replace(day=1)])
    services.refresh_objective_tallies()
    return owners


def expected(unit, owners, shown):
    """What ``unit``'s row adds up: its own records if it is the unit shown, else its
    subtree's."""
    if unit == shown:
        return owners[unit]
    return sum(n for owner, n in owners.items() if owner.path.startswith(unit.path))


@pytest.mark.parametrize("where", ["county", "township_a"])
def test_rows_by_child_add_up_to_the_subtree(world, county, leader, spread, where):
    shown = getattr(county, where)
    _queries, _rows, data = measure(leader, world.period, shown)
    panels = data["panels"]
    children = {child["id"] for child in data["children"]}
    shown_units = {unit.pk: unit for unit in spread if unit.path.startswith(shown.path)}
    total = sum(n for unit, n in spread.items() if unit.pk in shown_units)

    objectives_rows = {row["unit"]: row for row in panels["objectives"]["by_unit"]}
    supervision_rows = {row["unit"]: row for row in panels["supervision"]["by_unit"]}
    innovation_rows = {row["unit"]: row for row in panels["innovation"]["by_unit"]}
    for pk, unit in shown_units.items():
        if unit != shown and unit.pk not in children:
            continue
        want = expected(unit, spread, shown)
        assert sum(objectives_rows[pk]["counts"].values()) == want, unit.name
        assert supervision_rows[pk]["assigned"] == want, unit.name
        assert objectives_rows[pk]["name"] == unit.name
        # A child opens its own dashboard; the unit's own row does not.
        assert objectives_rows[pk]["drill"] == (None if unit == shown else pk)
        assert supervision_rows[pk]["drill"] == (None if unit == shown else pk)
        assert innovation_rows[pk]["drill"] == (None if unit == shown else pk)
    assert shown.pk in objectives_rows and shown.pk in supervision_rows

    objective_counts = [sum(row["counts"].values()) for row in panels["objectives"]["by_unit"]]
    category_counts = [sum(row["counts"].values()) for row in panels["objectives"]["by_category"]]
    assert sum(objective_counts) == sum(category_counts) == total
    assert sum(row["assigned"] for row in panels["supervision"]["by_unit"]) == total

    cases = panels["cases"]
    world_cases = CaseMonth.objects.filter(unit__path__startswith=shown.path, whole_area=False)
    case_total = sum(world_cases.values_list("cases", flat=True))
    assert sum(row["cases"] for row in cases["by_unit"]) == case_total
    assert sum(row["cases"] for row in cases["by_category"]) == case_total
    assert sum(row["cases"] for row in cases["by_month"]) == case_total
    own = by_name(cases["by_unit"])[shown.name]
    assert own["cases"] == sum(world_cases.filter(unit=shown).values_list("cases", flat=True))

    innovation = panels["innovation"]
    assert innovation["count"] == len(shown_units)
    assert innovation["points"] == float(total)
    assert sum(row["items"] for row in innovation["by_unit"]) == len(shown_units)
    assert innovation_rows[shown.pk]["points"] == float(spread[shown])
    # The list is led by the highest award.
    assert innovation["items"][0]["points"] == max(
        n for unit, n in spread.items() if unit.pk in shown_units
    )


def test_the_department_counts_under_its_own_row(world, county, leader, spread):
    _queries, _rows, data = measure(leader, world.period, county.county)
    panels = data["panels"]
    department = by_name(panels["objectives"]["by_unit"])["县教育局"]
    assert sum(department["counts"].values()) == 2
    assert department["drill"] == county.department.pk
    assert by_name(panels["supervision"]["by_unit"])["县教育局"]["assigned"] == 2
    assert by_name(panels["innovation"]["by_unit"])["县教育局"]["points"] == 2.0


# --- the nightly objective tallies --------------------------------------------------------------


@pytest.fixture
def leaves(world, county, county_admin):
    """Leaves in every state the engine knows, a parent, and an unpublished draft."""
    today, now = timezone.localdate(), timezone.now()
    plan = ObjectivePlan.objects.create(
        period=world.period, unit=county.county, title="目标", status="published"
    )
    common = {"plan": plan, "target": Decimal(10), "weight": Decimal(1), "published_at": now}
    parent = Objective.objects.create(
        category="rights",
        title="总目标",
        due_date=world.period.end_date,
        assignee_unit=county.county,
        **common,
    )
    made = []
    for n, (days, completion, frequency) in enumerate(
        [
            (-5, None, "quarterly"),  # overdue
            (-5, Decimal("1.00"), "monthly"),  # done
            (2, Decimal("0.99"), "quarterly"),  # due soon
            (2, Decimal("0.10"), "monthly"),  # behind, or overdue soon
            (60, Decimal("0.00"), "monthly"),  # behind
            (60, Decimal("0.95"), "quarterly"),  # on track
            (200, None, "quarterly"),
            (200, Decimal("1.30"), "monthly"),  # over the cap: done
        ]
    ):
        for unit in (county.village_a1, county.village_b1, county.township_a):
            made.append(
                Objective.objects.create(
                    category=("rights", "family")[n % 2],
                    title=f"目标{n}",
                    parent=parent,
                    due_date=today + timedelta(days=days),
                    report_frequency=frequency,
                    completion=completion,
                    assignee_unit=unit,
                    **common,
                )
            )
    Objective.objects.create(
        category="rights",
        title="草稿",
        due_date=today,
        assignee_unit=county.village_a1,
        plan=plan,
        target=Decimal(1),
        weight=Decimal(1),
    )
    return made


def engine_counts(objective_list, today=None):
    """Per (unit, category): the lights counted one objective at a time by the engine."""
    counts = {}
    for objective in objective_list:
        objective = Objective.objects.select_related("plan__period").get(pk=objective.pk)
        reason = objectives.status_of(objective, today).reason
        light = str(services.LIGHT_OF_REASON.get(reason, reason))
        key = (objective.assignee_unit_id, objective.category)
        counts.setdefault(key, dict.fromkeys(map(str, services.LIGHTS), 0))[light] += 1
    return counts


def tallies(**filters):
    return {
        (row.unit_id, row.category): {str(light): getattr(row, light) for light in services.LIGHTS}
        for row in ObjectiveTally.objects.filter(whole_area=False, **filters)
    }


def test_the_tallies_count_each_leaf_as_the_engine_judges_it(world, leaves):
    services.refresh_objective_tallies()
    assert tallies(period=world.period) == engine_counts(leaves)
    reasons = {
        objectives.status_of(o).reason
        for o in Objective.objects.filter(pk__in=[o.pk for o in leaves])
    }
    # The mix covers every light (done counted as on track).
    assert {Reason.OVERDUE, Reason.DONE, Reason.DUE_SOON, Reason.BEHIND, Reason.ON_TRACK} <= reasons


def test_the_tallies_follow_the_calendar_and_a_rerun_writes_the_same(world, leaves):
    later = timezone.localdate() + timedelta(days=30)
    services.refresh_objective_tallies(today=later)
    first = tallies()
    assert first == engine_counts(leaves, later)
    # Own rows and area rows, written afresh.
    assert services.refresh_objective_tallies(today=later) == ObjectiveTally.objects.count()
    assert tallies() == first
    services.refresh_objective_tallies()
    assert tallies() == engine_counts(leaves)


def test_the_rollup_refresh_writes_the_tallies_and_a_closed_period_turns_on_track(world, leaves):
    from apps.dashboards import tasks

    ObjectiveTally.objects.all().delete()
    tasks.refresh_rollups()
    assert tallies() == engine_counts(leaves)
    assert world.period in services.tally_periods()
    world.period.is_closed = True
    world.period.save()
    # Closed, but counted while it was open: the next night counts it once more.
    assert world.period not in services.tally_periods()
    now = timezone.now()
    ObjectiveTally.objects.update(computed_at=now - timedelta(days=1))
    Period.objects.filter(pk=world.period.pk).update(closed_at=now - timedelta(hours=1))
    assert world.period in services.tally_periods()
    services.refresh_rollups()
    assert world.period not in services.tally_periods()
    rows = ObjectiveTally.objects.filter(period=world.period, whole_area=False)
    assert sum(row.on_track for row in rows) == len(leaves)
    assert not any(row.due_soon or row.behind or row.overdue for row in rows)


def test_the_backfill_command_counts_a_periods_objectives(world, leaves):
    from io import StringIO

    from django.core.management import call_command

    ObjectiveTally.objects.all().delete()
    call_command("refresh_dashboards", "--period", str(world.period.pk), stdout=StringIO())
    assert tallies() == engine_counts(leaves)


def test_a_township_reads_only_its_own_tallies(world, county, leaves, township_a_staff):
    services.refresh_objective_tallies()
    mine = ObjectiveTally.objects.in_area(township_a_staff)
    assert set(mine.values_list("unit", flat=True)) == {
        county.village_a1.pk,
        county.township_a.pk,
    }
    data = services.dashboard(township_a_staff, world.period, county.township_a)
    rows = by_name(data["panels"]["objectives"]["by_unit"])
    assert set(rows) == {"甲一村", "甲二村", "甲镇"}
    assert sum(sum(row["counts"].values()) for row in rows.values()) == 16
    assert sum(rows["甲二村"]["counts"].values()) == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 200),
        ("county_admin", 200),
        ("township_a_staff", 200),
        ("village_a1_rep", 403),
        ("dept_liaison", 403),
    ],
)
def test_the_five_roles_reach_the_dashboard_as_before(
    world, leaves, persona, status, request, api_as
):
    services.refresh_objective_tallies()
    user = request.getfixturevalue(persona)
    response = api_as(user).get(URL)
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "目标0" not in text and "总目标" not in text


def test_a_ranking_shows_its_first_ranks_whatever_the_units_it_ranks(world, county, leader):
    from apps.assessment.models import AssessmentResult, AssessmentScheme
    from apps.organizations.models import OrgUnit

    schemes = {
        period: AssessmentScheme.objects.create(
            period=period, unit=county.county, title="乡镇考核", level="township"
        )
        for period in (world.period, world.previous)
    }

    def rank_townships(count, first):
        codes = [f"9{first + n:04d}" for n in range(count)]
        townships = add_units(county.county, OrgUnit.Kind.TOWNSHIP, f"排名镇{first}-", codes)
        AssessmentResult.objects.bulk_create(
            AssessmentResult(
                scheme=scheme,
                unit=township,
                round=round_,
                total=Decimal(500 - first - n) / 5 - (period == world.previous),
                rank=first + n + 1,
            )
            for period, scheme in schemes.items()
            for round_ in ("self", "initial")
            for n, township in enumerate(townships)
        )

    rank_townships(40, 0)
    queries, rows, data = measure(leader, world.period, county.county)
    [level] = data["panels"]["assessment"]["levels"]
    assert level["count"] == 40
    assert len(level["rows"]) == services.RANKED_ROWS
    assert [row["rank"] for row in level["rows"]] == list(range(1, services.RANKED_ROWS + 1))
    first = level["rows"][0]
    assert first["name"] == "排名镇0-0" and first["total"] == 100.0
    assert first["previous_total"] == 99.0 and first["previous_rank"] == 1

    rank_townships(80, 40)
    more_queries, more_rows, data = measure(leader, world.period, county.county)
    [level] = data["panels"]["assessment"]["levels"]
    assert level["count"] == 120 and len(level["rows"]) == services.RANKED_ROWS
    with translation.override("zh-hans"):
        [table] = [table for table in tables(data) if table.panel == "assessment"]
    assert table.title == "考核排名：乡镇（街道）（初评），前 30 名，共 120 个"
    # The new townships are the county's children, loaded once each; the ranking fetched no
    # more rows than before.
    assert more_queries == queries
    assert more_rows - rows == 80
