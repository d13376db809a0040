"""The dashboard's figures, reproduced from the records of a small world."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from apps.coordination.models import Referral
from apps.dashboards import services
from apps.dashboards.models import CaseMonth, ObjectiveTally, UnitMonth
from apps.liaison.models import Case, Contact, Visit
from apps.organizations.models import OrgUnit
from federation import routers


def by_unit(rows):
    return {row["name"]: row for row in rows}


def test_the_rollup_is_idempotent(world):
    first = sorted(UnitMonth.objects.values_list("unit", "month", "visits", "cases", "referrals"))
    cases = sorted(CaseMonth.objects.values_list("unit", "category", "cases", "sensitive"))
    services.refresh_rollups()
    assert (
        sorted(UnitMonth.objects.values_list("unit", "month", "visits", "cases", "referrals"))
        == first
    )
    assert sorted(CaseMonth.objects.values_list("unit", "category", "cases", "sensitive")) == cases


@pytest.mark.parametrize(
    ("model", "keys"),
    [
        (UnitMonth, ("month",)),
        (CaseMonth, ("month", "category")),
        (ObjectiveTally, ("period_id", "category")),
    ],
)
def test_each_area_row_sums_the_own_rows_of_its_subtree(world, county, model, keys):
    from decimal import Decimal

    from apps.objectives.models import Objective, ObjectivePlan

    today = timezone.localdate()
    plan = ObjectivePlan.objects.create(
        period=world.period, unit=county.county, title="目标", status="published"
    )
    for n, unit in enumerate([county.county, county.township_a, county.village_a1]):
        Objective.objects.create(
            plan=plan,
            category="rights",
            title=f"目标{n}",
            target=Decimal(1),
            weight=Decimal(1),
            due_date=today,
            assignee_unit=unit,
            published_at=timezone.now(),
        )
    services.refresh_rollups()
    figures = ["visits", "households_linked", "referrals", "hours_to_accept"]
    if model is CaseMonth:
        figures = ["cases", "sensitive", "on_time"]
    elif model is ObjectiveTally:
        figures = [str(light) for light in services.LIGHTS]
    own = list(model.objects.filter(whole_area=False).select_related("unit"))
    areas = model.objects.filter(whole_area=True).select_related("unit")
    assert own and areas
    expected = {}
    for row in own:
        for area in OrgUnit.objects.all():
            if row.unit.path.startswith(area.path):
                key = (area.pk, *(getattr(row, name) for name in keys))
                sums = expected.setdefault(key, dict.fromkeys(figures, 0))
                for name in figures:
                    sums[name] += getattr(row, name)
    assert {
        (row.unit_id, *(getattr(row, name) for name in keys)): {
            name: getattr(row, name) for name in figures
        }
        for row in areas
    } == expected
    # The county's area row holds the townships' and the department's figures as well.
    assert any(key[0] == county.county.pk for key in expected)


def test_the_leaders_figures_match_the_records(world, county, leader):
    data = services.dashboard(leader, world.period, county.county)
    assert [child["name"] for child in data["children"]] == ["甲镇", "乙镇", "县教育局"]

    cases = data["panels"]["cases"]
    by_category = {row["key"]: row for row in cases["by_category"]}
    for category in Case.Category.values:
        records = Case.objects.filter(category=category)
        assert by_category[category]["cases"] == records.count()
        assert by_category[category]["sensitive"] == records.filter(is_sensitive=True).count()
    townships = by_unit(cases["by_unit"])
    assert townships["甲镇"]["cases"] == Case.objects.filter(unit__parent=county.township_a).count()
    assert townships["乙镇"]["cases"] == 1
    assert sum(row["cases"] for row in cases["by_month"]) == Case.objects.count()

    coverage = by_unit(data["panels"]["liaison"]["by_unit"])
    assert coverage["甲镇"]["linked"] == Contact.objects.filter(unit=county.village_a1).count()
    assert coverage["乙镇"]["visits"] == Visit.objects.filter(unit=county.village_b1).count() == 2
    assert coverage["乙镇"]["visited"] == 1
    assert coverage["乙镇"]["made"]["red"] == 2
    assert coverage["乙镇"]["coverage"] == 100

    referrals = data["panels"]["referrals"]
    assert referrals["available"]
    [department] = referrals["by_department"]
    assert department["name"] == "县教育局"
    assert department["received"] == Referral.objects.count() == 1
    assert department["accepted"] == 1
    assert department["accepted_on_time"] == 1


def test_no_text_of_a_case_reaches_the_dashboard(world, county, leader):
    text = str(services.dashboard(leader, world.period, county.county))
    for case in Case.objects.all():
        assert case.description not in text
    for contact in Contact.objects.all():
        assert contact.name not in text


def test_township_staff_see_their_township_and_nothing_else(world, county, township_a_staff):
    assert services.resolve_unit(township_a_staff, None) == county.township_a
    data = services.dashboard(township_a_staff, world.period, county.township_a)
    assert [child["name"] for child in data["children"]] == ["甲一村", "甲二村"]
    assert data["panels"]["referrals"]["available"] is False
    assert data["panels"]["referrals"]["by_department"] == []
    with pytest.raises(Http404):
        services.resolve_unit(township_a_staff, county.township_b.pk)
    with pytest.raises(Http404):
        services.resolve_unit(township_a_staff, county.county.pk)
    assert services.resolve_unit(township_a_staff, county.village_a1.pk) == county.village_a1


@pytest.mark.parametrize("persona", ["village_a1_rep", "dept_liaison"])
def test_representatives_and_liaisons_have_no_dashboard(world, county, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.resolve_unit(user, None)
    with pytest.raises(PermissionDenied):
        services.dashboard(user, world.period, county.county)


def test_the_nightly_task_is_scheduled_and_refreshes(world):
    from apps.core import schedules
    from apps.dashboards import tasks

    assert ("dashboards.refresh_rollups", "apps.dashboards.tasks.refresh_rollups") in (
        schedules.default_tasks()
    )
    UnitMonth.objects.all().delete()
    assert tasks.refresh_rollups() > 0
    assert UnitMonth.objects.filter(unit__kind="department", referrals=1).exists()


def test_leaders_get_one_weekly_digest_linking_to_the_dashboard(world, county, leader):
    from apps.notifications.models import Notification

    assert services.send_weekly_digest() == 1
    assert services.send_weekly_digest() == 0
    [digest] = Notification.objects.filter(recipient=leader)
    assert digest.url == f"/dashboards/?period={world.period.pk}&unit={county.county.pk}"
    assert digest.key.startswith("dashboard-digest:")
    # Three cases, one sensitive: counted, never described.
    assert str(Case.objects.count()) in digest.body
    for case in Case.objects.all():
        assert case.description not in digest.body
    assert not Notification.objects.exclude(recipient=leader).filter(key=digest.key).exists()


def test_snapshot_panels_match_their_records(world, county, leader):
    """Assessment results (furthest round, last period beside), objective lights, supervised
    items and innovation items: each figure counted back from the records."""
    from apps.assessment.models import AssessmentResult, AssessmentScheme
    from apps.objectives import services as objectives
    from apps.objectives.models import InnovationItem, Objective
    from apps.supervision.models import SupervisionItem
    from apps.supervision.reports import overdue_q
    from tests.dashboards.test_api import grow

    grow(county, leader, world.period, villages=3)
    for period, totals in ((world.period, (91, 78)), (world.previous, (70, 88))):
        scheme = AssessmentScheme.objects.create(
            period=period, unit=county.county, title="乡镇考核", level="township"
        )
        for round_ in ("self", "initial"):
            for rank, (township, total) in enumerate(
                zip((county.township_a, county.township_b), totals, strict=True), start=1
            ):
                AssessmentResult.objects.create(
                    scheme=scheme,
                    unit=township,
                    round=round_,
                    total=total - (round_ == "self"),
                    rank=rank,
                    grade="优秀" if total > 90 else "良好",
                )
    panels = services.dashboard(leader, world.period, county.county)["panels"]

    [level] = panels["assessment"]["levels"]
    rows = by_unit(level["rows"])
    assert rows["甲镇"]["total"] == 91 and rows["甲镇"]["grade"] == "优秀"
    assert rows["甲镇"]["previous_total"] == 70
    assert rows["乙镇"]["total"] == 78 and rows["乙镇"]["previous_total"] == 88

    counts = {}
    for objective in Objective.objects.all().select_related("plan__period"):
        reason = objectives.status_of(objective).reason
        light = services.LIGHT_OF_REASON.get(reason, reason)
        counts[light] = counts.get(light, 0) + 1
    township_a = by_unit(panels["objectives"]["by_unit"])["甲镇"]["counts"]
    assert {key: value for key, value in township_a.items() if value} == counts

    supervision = by_unit(panels["supervision"]["by_unit"])
    items = SupervisionItem.objects.all()
    overdue = items.filter(overdue_q(timezone.localdate()))
    assert supervision["甲镇"]["assigned"] == items.filter(lead_unit=county.township_a).count()
    assert supervision["县教育局"]["overdue"] == overdue.filter(lead_unit=county.department).count()
    assert len(panels["supervision"]["overdue"]) == min(overdue.count(), 20)

    assert panels["innovation"]["count"] == InnovationItem.objects.count() == 3
    assert panels["innovation"]["points"] == 3.0


def test_the_backfill_command_rewrites_the_periods_months(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    UnitMonth.objects.all().delete()
    out = StringIO()
    call_command("refresh_dashboards", "--period", str(world.period.pk), stdout=out)
    assert "rollup rows" in out.getvalue()
    assert UnitMonth.objects.filter(visits__gt=0).exists()
    with pytest.raises(CommandError):
        call_command("refresh_dashboards", "--period", "999999", stdout=out)


def test_the_dashboards_reads_are_marked_for_the_replica(world, county, leader, monkeypatch):
    marked = []
    real = routers.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        marked.append(routers._replica_reads.get())
        return real(self, model, **hints)

    monkeypatch.setattr(routers.ReplicaRouter, "db_for_read", spy)
    services.dashboard(leader, world.period, county.county)
    # Who the user is and where she works are read from the primary; every panel's figures
    # (at least one read each) may come from the replica.
    first = marked.index(True)
    assert all(marked[first:]) and len(marked[first:]) >= len(services.PANELS)
