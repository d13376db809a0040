"""The demo's township scheme, scored through every round and published, built once."""

from apps.assessment.models import AssessmentLine, AssessmentResult, AssessmentScheme


def test_demo_township_scheme(db, seed_demo):
    seed_demo(activity=True)
    scheme = AssessmentScheme.objects.get(level="township")
    results = AssessmentResult.objects.filter(scheme=scheme)
    assert set(results.values_list("round", flat=True)) == {"self", "initial", "review", "final"}
    assert not results.filter(approved_at=None).exists()
    assert not results.filter(round="final", published_at=None).exists()
    final = results.filter(round="final").order_by("rank")
    assert final.filter(title="一等奖").count() == 1
    for result in final:
        roots = AssessmentLine.objects.filter(result=result, indicator__parent=None)
        assert sum(line.contribution for line in roots) == result.total
    counts = (AssessmentScheme.objects.count(), results.count())
    seed_demo(activity=True)
    assert (AssessmentScheme.objects.count(), AssessmentResult.objects.count()) == counts
