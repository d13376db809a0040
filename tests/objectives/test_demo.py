"""The demo plan is a real plan: it keeps every decomposition rule and scores like any other."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import User
from apps.notifications.models import Notification
from apps.objectives import services
from apps.objectives.demo import LAST_YEAR_CONFIRMED, last_year_indicators
from apps.objectives.demo_indicators import INDICATORS
from apps.objectives.models import (
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
    UnitScore,
)
from apps.objectives.services.progress import cycle_ends, report_due
from apps.objectives.services.reminders import plans_to_remind
from apps.organizations.models import OrgUnit, Period


def test_demo_plan_is_decomposed_reported_and_scored_once(db, demo_day, seed_demo):
    plan = ObjectivePlan.objects.get(period=Period.objects.current_year())
    counts = {
        "roots": plan.objectives.filter(depth=0).count(),
        "objectives": plan.objectives.count(),
        "reports": ProgressReport.objects.count(),
        "scores": UnitScore.objects.count(),
    }
    assert counts["roots"] == 40
    # Incidents to keep down stop at the townships; everything else reaches every village.
    kept_down = sum(1 for indicator in INDICATORS if indicator.get("direction") == "lower")
    assert counts["objectives"] == 40 * (1 + 20) + (40 - kept_down) * 300
    assert counts["reports"] > 10_000
    assert services.rule_violations(plan.objectives.with_details()) == []
    grades = set(UnitScore.objects.values_list("grade", flat=True))
    assert len(grades) >= 3  # the rankings spread
    assert Objective.objects.filter(depth=0, completion__isnull=True).count() == 0

    seed_demo(activity=True)
    assert ProgressReport.objects.count() == counts["reports"]
    assert plan.objectives.count() == counts["objectives"]


def test_demo_reports_every_cycle_due_with_a_spread(db, demo_day):
    today = timezone.localdate()
    leaves = list(Objective.objects.filter(children__isnull=True).select_related("plan__period"))
    reported = set(ProgressReport.objects.values_list("objective", "cycle_end"))
    latest_due = {
        leaf.pk: max(c for c in cycle_ends(leaf) if report_due(leaf, c) < today) for leaf in leaves
    }
    missing = [pk for pk, cycle in latest_due.items() if (pk, cycle) not in reported]
    # Nearly every leaf has reported its latest due cycle; a few have not, yet.
    assert 0 < len(missing) < 0.06 * len(leaves)
    # Nothing is reported for a cycle not yet due, and nothing is filed in the future.
    assert not ProgressReport.objects.filter(cycle_end__gt=today - timedelta(days=5)).exists()
    assert not ProgressReport.objects.filter(submitted_at__gt=timezone.now()).exists()
    statuses = dict(
        ProgressReport.objects.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    assert set(statuses) == {"approved", "submitted", "returned"}
    assert statuses["approved"] > 0.8 * sum(statuses.values())
    late = ProgressReport.objects.filter(is_late=True).count()
    assert 0.02 * sum(statuses.values()) < late < 0.1 * sum(statuses.values())


def test_every_demo_role_has_real_work(db, demo_day):
    village, township = (User.objects.get(username=name) for name in ("village", "township"))
    mine = ProgressReport.objects.filter(objective__assignee_unit=village.primary_membership.unit)
    assert mine.filter(status="returned").exists()
    to_review = ProgressReport.objects.filter(
        status="submitted", objective__parent__assignee_unit=township.primary_membership.unit
    )
    assert to_review.count() >= 3
    county_reviews = ProgressReport.objects.filter(status="submitted", objective__depth=1)
    assert county_reviews.exists()


def test_demo_lights_are_mostly_green(db, demo_day):
    """Pace is judged up to the last cycle that could have been reported (the engine's rule,
    issue 8): an objective on pace whose next report is not due yet is not red."""
    today = timezone.localdate()
    leaves = Objective.objects.filter(
        children__isnull=True, plan__period=Period.objects.current_year()
    ).select_related("plan__period")
    lights = Counter()
    for leaf in leaves:
        lights[services.light_of(leaf, today)] += 1
    total = sum(lights.values())
    assert lights["green"] > 0.6 * total, lights
    assert 0.03 * total < lights["yellow"] < 0.3 * total, lights
    assert 0.01 * total < lights["red"] < 0.2 * total, lights


def last_year():
    return Period.objects.get(name=f"{timezone.localdate().year - 1}年度")


def test_last_year_is_closed_with_frozen_ranked_scores(db, demo_day):
    period = last_year()
    assert period.is_closed
    plan = ObjectivePlan.objects.get(period=period)
    assert plan.status == ObjectivePlan.Status.CLOSED
    townships = OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWNSHIP).count()
    # A compact plan: a few county objectives, each handed to every township.
    assert plan.objectives.filter(depth=0).count() == len(last_year_indicators())
    assert plan.objectives.filter(depth=1).count() == len(last_year_indicators()) * townships
    assert not plan.objectives.filter(depth__gt=1).exists()
    assert services.rule_violations(plan.objectives.with_details()) == []
    # Every cycle reported and approved, a few of them late.
    leaves = plan.objectives.filter(depth=1).select_related("plan__period")
    assert ProgressReport.objects.filter(objective__plan=plan).count() == sum(
        len(cycle_ends(leaf)) for leaf in leaves
    )
    assert set(
        ProgressReport.objects.filter(objective__plan=plan).values_list("status", flat=True)
    ) == {"approved"}
    assert ProgressReport.objects.filter(objective__plan=plan, is_late=True).exists()
    # Each township scored, frozen and ranked; the grades spread.
    scores = plan.scores.all()
    assert scores.count() == townships
    assert not scores.filter(frozen=False).exists()
    assert sorted(scores.values_list("rank", flat=True))[0] == 1
    assert not scores.filter(rank__isnull=True).exists()
    assert len(set(scores.values_list("grade", flat=True))) >= 2
    # The nightly run and the reminders leave the closed year alone and score this one.
    this_year = ObjectivePlan.objects.get(period=Period.objects.current_year())
    assert list(services.plans_to_score()) == [this_year.pk]
    assert list(plans_to_remind()) == [this_year.pk]
    before = list(scores.order_by("pk").values_list("score", "rank", "computed_at"))
    services.score_plan(plan)
    assert list(plan.scores.order_by("pk").values_list("score", "rank", "computed_at")) == before


def test_last_years_rewards_await_the_county_and_the_leader(db, demo_day, api_as, client_as):
    plan = ObjectivePlan.objects.get(period=last_year())
    confirmed = plan.rewards.filter(status=Reward.Status.CONFIRMED)
    proposed = plan.rewards.filter(status=Reward.Status.PROPOSED)
    assert confirmed.count() == LAST_YEAR_CONFIRMED
    assert proposed.exists()
    assert set(plan.rewards.values_list("kind", flat=True)) == {"collective", "innovation"}
    assert InnovationItem.objects.get(plan=plan).status == InnovationItem.Status.AWARDED
    # Confirmed by the county admin through the service, so the leader was told.
    admin, leader = (User.objects.get(username=name) for name in ("admin", "leader"))
    assert set(confirmed.values_list("confirmed_by", flat=True)) == {admin.pk}
    assert Notification.objects.filter(recipient=leader, key__startswith="reward-").count() == (
        LAST_YEAR_CONFIRMED
    )

    items = api_as(leader).get("/api/v1/todo/").json()
    assert 2 <= len(items) <= 5
    assert {item["kind"] for item in items} == {"reward-approve"}
    assert {item["id"] for item in items} == set(confirmed.values_list("pk", flat=True))
    page = client_as(leader).get(items[0]["url"])
    assert page.status_code == 200
    assert {reward.pk for reward in page.context["object_list"]} == {item["id"] for item in items}

    to_confirm = [
        item
        for item in api_as(admin).get("/api/v1/todo/").json()
        if item["kind"] == "reward-confirm"
    ]
    assert {item["id"] for item in to_confirm} == set(proposed.values_list("pk", flat=True))


def test_the_pages_open_on_this_years_plan(db, demo_day, client_as):
    this_year = ObjectivePlan.objects.get(period=Period.objects.current_year())
    last = ObjectivePlan.objects.get(period=last_year())
    client = client_as(User.objects.get(username="admin"))
    plans = client.get("/objectives/").context["object_list"]
    assert [plan.pk for plan in plans] == [this_year.pk, last.pk]
    # The rankings open on this year's plan, not two years' first places side by side…
    scores = client.get("/objectives/scores/").context["paginator"].object_list
    assert set(scores.values_list("plan", flat=True)) == {this_year.pk}
    # …last year's on asking, and every plan on choosing "all".
    scores = client.get("/objectives/scores/", {"plan": last.pk}).context["object_list"]
    assert {score.plan_id for score in scores} == {last.pk}
    scores = client.get("/objectives/scores/", {"plan": ""}).context["paginator"].object_list
    assert set(scores.values_list("plan", flat=True)) == {this_year.pk, last.pk}
    # The rewards are last year's: this year's are proposed when it closes.
    rewards = client.get("/objectives/rewards/").context["object_list"]
    assert {reward.plan_id for reward in rewards} == {last.pk}


def demo_counts():
    return {
        "periods": Period.objects.count(),
        "plans": ObjectivePlan.objects.count(),
        "objectives": Objective.objects.count(),
        "reports": ProgressReport.objects.count(),
        "scores": list(UnitScore.objects.order_by("pk").values_list("score", "rank", "frozen")),
        "innovation": InnovationItem.objects.count(),
        "rewards": sorted(Reward.objects.values_list("kind", "status", "unit")),
        "notifications": Notification.objects.count(),
    }


def test_a_second_seed_changes_nothing(db, demo_day, seed_demo):
    before = demo_counts()
    seed_demo(activity=True)
    assert demo_counts() == before
    assert last_year().is_closed


@pytest.mark.parametrize(
    "name, kinds",
    [
        (
            "village",
            {
                "report-due",
                "report-returned",
                "household-visit",
                "case-overdue",
                "case-unescalated",
                # The domestic-violence pathway's, on the demo sensitive case.
                "follow-up-visit",
                "protection-order",
            },
        ),
        (
            "township",
            {
                "report-review",
                "case-escalated",
                "village-coverage",
                "report-due",
                "report-returned",
                "incoming-referral",
                "supervision-item",
                "supervision-progress",
                "supervision-approval",
            },
        ),
    ],
)
def test_last_year_adds_nothing_to_the_reporters_lists(db, demo_day, api_as, name, kinds):
    """The closed year is done: no report due, to refile or to review comes from it."""
    items = api_as(User.objects.get(username=name)).get("/api/v1/todo/").json()
    assert {item["kind"] for item in items} <= kinds
    last = ObjectivePlan.objects.get(period=last_year())
    objectives = set(last.objectives.values_list("pk", flat=True))
    reports = set(ProgressReport.objects.filter(objective__plan=last).values_list("pk", flat=True))
    for item in items:
        if item["kind"] == "report-due":
            assert item["id"] not in objectives
        elif item["kind"].startswith("report-"):
            assert item["id"] not in reports
