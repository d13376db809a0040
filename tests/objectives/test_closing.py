"""Scores on each unit's own scale, and closing a period: one step that freezes for good."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from apps.notifications.models import Notification
from apps.objectives import services
from apps.objectives.models import Objective, ObjectivePlan, UnitScore
from apps.objectives.services.scoring import breakdown, on_unit_scale
from tests.objectives import test_scoring
from tests.objectives.conftest import quantitative

running_plan = test_scoring.running_plan  # the fixture: training split to townships, villages


def late_reports(rep, objective, cycles=(date(2026, 3, 31), date(2026, 6, 30))):
    """Reports filed in late November for cycles long past: each one late."""
    for cycle in cycles:
        services.submit_report(rep, objective, cycle_end=cycle, value=Decimal(10), narrative="补报")


def test_unit_scale_shares_add_up_to_their_rounded_total():
    # A village holding 0.13 of the county's points in two objectives reads them out of 100.
    assert on_unit_scale([Decimal("0.07"), Decimal("0.06")], Decimal("0.13")) == [
        Decimal("53.85"),
        Decimal("46.15"),
    ]
    thirds = on_unit_scale([Decimal(1)] * 3, Decimal(3))
    assert sum(thirds) == Decimal("100.00")
    assert on_unit_scale([Decimal(1)], Decimal(0)) == [Decimal(0)]


def test_breakdown_speaks_the_village_scale(running_plan, county, village_a1_rep):
    village_part = Objective.objects.get(assignee_unit=county.village_a1)
    late_reports(village_a1_rep, village_part)
    services.score_plan(running_plan)
    score = UnitScore.objects.get(plan=running_plan, unit=county.village_a1)
    rows = breakdown(score)
    (objective,) = rows["objectives"]
    # The village's one objective is all of its 100 points, whatever its 3 county points.
    assert objective.weight_share == Decimal("100.00")
    # 120% capped completion, minus 2 late reports × 10% of the weight.
    assert objective.deduction_share == Decimal("20.00")
    assert objective.points_share == Decimal("100.00")
    assert [report.deduction_share for report in rows["late_reports"]] == [Decimal("10.00")] * 2
    assert score.deduction_score == Decimal("20.00")


def test_deductions_listed_add_up_to_the_total_shown(
    running_plan,
    county,
    village_a1_rep,
    client_as,
    api_as,
    township_a_staff,
):
    from apps.core.roles import Role
    from tests.conftest import make_user

    a1, a2 = Objective.objects.filter(assignee_unit__parent=county.township_a).order_by(
        "assignee_unit__code"
    )
    late_reports(village_a1_rep, a1)
    a2_rep = make_user("a2_late", Role.VILLAGE_REP, county.village_a2)
    late_reports(a2_rep, a2, cycles=(date(2026, 3, 31),))
    services.score_plan(running_plan)
    township = UnitScore.objects.get(plan=running_plan, unit=county.township_a)
    rows = breakdown(township)
    # The township answers for its villages' late reports: all three are listed.
    assert len(rows["late_reports"]) == 3
    shares = [report.deduction_share for report in rows["late_reports"]]
    assert sum(shares) == township.deduction_score > 0
    assert sum(o.deduction_share for o in rows["objectives"]) == township.deduction_score

    body = api_as(township_a_staff).get(f"/api/v1/scores/{township.pk}/").json()
    assert body["deduction_score"] == str(township.deduction_score)
    assert sum(Decimal(r["deduction_share"]) for r in body["late_reports"]) == Decimal(
        body["deduction_score"]
    )
    assert body["objectives"][0]["weight_share"] == "100.00"

    page = client_as(township_a_staff).get(f"/objectives/scores/{township.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="report-deduction"') == 3


@pytest.fixture
def closed(running_plan, county_admin):
    services.close_period(county_admin, running_plan.period)
    running_plan.refresh_from_db()
    return running_plan


def test_closing_the_period_closes_its_plans_freezes_and_tells_people(
    closed, county, village_a1_rep, county_admin
):
    assert closed.status == ObjectivePlan.Status.CLOSED
    assert closed.period.is_closed and closed.period.closed_at
    assert not closed.scores.filter(frozen=False).exists()
    assert closed.scores.filter(rank__isnull=True).count() == 0
    told = Notification.objects.filter(key__startswith="score-final:")
    assert told.filter(recipient=village_a1_rep).count() == 1
    assert Notification.objects.filter(
        recipient=county_admin, key=f"period-closed:{closed.pk}"
    ).exists()
    count = Notification.objects.count()

    services.close_period(county_admin, closed.period)  # a second close sends nothing again
    assert Notification.objects.count() == count


def test_nothing_recomputes_a_frozen_score(closed, county, village_a1_rep):
    frozen = {s.pk: (s.score, s.rank, s.computed_at) for s in closed.scores.all()}
    # New records after the close would change the numbers if anything re-ran.
    Objective.objects.filter(plan=closed).update(points=0)
    assert services.score_plan(closed) is False
    assert closed.pk not in set(services.plans_to_score())
    with pytest.raises(CommandError, match="closed"):
        call_command("score_period", period=closed.period_id)
    with pytest.raises(CommandError, match="closed"):
        call_command("score_period", plan=closed.pk)
    # Even a plan wrongly set running again leaves its frozen rows alone.
    ObjectivePlan.objects.filter(pk=closed.pk).update(status=ObjectivePlan.Status.PUBLISHED)
    type(closed.period).objects.filter(pk=closed.period_id).update(is_closed=False)
    assert services.score_plan(closed) is True
    assert {s.pk: (s.score, s.rank, s.computed_at) for s in closed.scores.all()} == frozen


def test_a_closed_period_takes_no_reports_nor_objectives(
    closed, county, village_a1_rep, county_admin
):
    village_part = Objective.objects.get(assignee_unit=county.village_a1)
    with pytest.raises(ValidationError, match="已结束|closed"):
        services.submit_report(
            village_a1_rep,
            village_part,
            cycle_end=date(2026, 9, 30),
            value=Decimal(10),
            narrative="迟到的报告",
        )
    with pytest.raises(ValidationError):
        services.add_objective(county_admin, closed, **quantitative(assignee_unit=county.county))


def test_a_closed_period_shows_its_objectives_as_final_not_overdue(
    closed, county, village_a1_rep, client_as, api_as
):
    """Below target or not, nothing of a closed year is left to chase: no red, no to-do."""
    village_part = Objective.objects.get(assignee_unit=county.village_a1)
    body = api_as(village_a1_rep).get(f"/api/v1/objectives/{village_part.pk}/").json()
    assert (body["light"], body["light_reason"]) == ("green", "closed")
    page = client_as(village_a1_rep).get(village_part.get_absolute_url()).content.decode()
    assert 'data-light-reason="closed"' in page and 'data-light="red"' not in page
    todo = api_as(village_a1_rep).get("/api/v1/todo/").json()
    assert not [item for item in todo if item["kind"] == "objective"]


def test_a_draft_plan_holds_the_period_open(running_plan, county, county_admin):
    draft = services.create_plan(
        county_admin, period=running_plan.period, unit=county.township_a, title="乡镇草稿"
    )
    with pytest.raises(ValidationError, match="乡镇草稿"):
        services.close_period(county_admin, running_plan.period)
    running_plan.refresh_from_db()
    assert running_plan.status == ObjectivePlan.Status.PUBLISHED
    assert not running_plan.period.is_closed
    assert draft.status == ObjectivePlan.Status.DRAFT


def test_close_period_through_the_api_and_the_page(running_plan, api_as, client_as, county_admin):
    response = api_as(county_admin).post(f"/api/v1/objective-plans/{running_plan.pk}/close-period/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    running_plan.period.refresh_from_db()
    assert running_plan.period.is_closed
    page = client_as(county_admin).get(f"/objectives/plans/{running_plan.pk}/")
    assert 'data-testid="plan-closed"' in page.content.decode()
    assert 'data-testid="close-plan"' not in page.content.decode()


def test_recalculating_a_closed_plan_says_its_scores_are_frozen(closed, client_as, county_admin):
    from django.urls import reverse

    before = list(closed.scores.values_list("pk", "score", "computed_at"))
    page = client_as(county_admin).post(
        reverse("objectives:plan-score", args=[closed.pk]), follow=True
    )
    (message,) = [str(m) for m in page.context["messages"]]
    assert message == "未重新计算：考核周期已结束，得分已冻结。"
    assert list(closed.scores.values_list("pk", "score", "computed_at")) == before
