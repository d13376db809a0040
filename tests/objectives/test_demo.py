"""The demo plan is a real plan: it keeps every decomposition rule and scores like any other."""

from apps.objectives import services
from apps.objectives.demo_indicators import INDICATORS
from apps.objectives.models import Objective, ObjectivePlan, ProgressReport, UnitScore


def test_demo_plan_is_decomposed_reported_and_scored_once(db, seed_demo):
    seed_demo(activity=True)
    plan = ObjectivePlan.objects.get()
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
