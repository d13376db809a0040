"""The demo's township, department and 执委 schemes, each scored through every round and
published, built once."""

import pytest
from django.db.models import Sum

from apps.assessment.models import AssessmentLine, AssessmentResult, AssessmentScheme
from apps.liaison.models import Representative
from apps.organizations.models import OrgUnit

# The demo is built once for the module; each test still seeds it again (adding nothing).
pytestmark = pytest.mark.usefixtures("demo_year")


def test_demo_schemes(db, seed_demo):
    seed_demo(activity=True)
    schemes = {scheme.level: scheme for scheme in AssessmentScheme.objects.all()}
    assert set(schemes) == {"township", "department", "person"}
    expected = {
        "township": OrgUnit.objects.filter(kind="township").count(),
        "department": OrgUnit.objects.filter(kind="department").count(),
        "person": Representative.objects.active().count(),
    }
    for level, scheme in schemes.items():
        results = AssessmentResult.objects.filter(scheme=scheme)
        assert set(results.values_list("round", flat=True)) == {
            "self",
            "initial",
            "review",
            "final",
        }
        assert results.filter(round="final").count() == expected[level]
        assert not results.filter(approved_at=None).exists()
        assert not results.filter(round="final", published_at=None).exists()
        # Every breakdown adds up to its total (with the base).
        sums = dict(
            AssessmentLine.objects.filter(result__scheme=scheme, indicator__parent=None)
            .values_list("result")
            .annotate(total=Sum("contribution"))
        )
        for pk, total in results.values_list("pk", "total"):
            assert scheme.base_points + sums[pk] == total

    township_final = AssessmentResult.objects.filter(scheme=schemes["township"], round="final")
    assert township_final.filter(title="一等奖").count() == 1

    department_final = AssessmentResult.objects.filter(scheme=schemes["department"], round="final")
    # Award grades are shown; which one the best department reaches moves with its referral
    # figures, which the demo dates from today.
    assert department_final.filter(grade__in=["红旗单位", "先进单位"]).exists()
    reviewed = AssessmentResult.objects.filter(scheme=schemes["department"], round="review")
    initial = dict(
        AssessmentResult.objects.filter(scheme=schemes["department"], round="initial").values_list(
            "unit", "total"
        )
    )
    assert sum(result.total < initial[result.unit_id] for result in reviewed) == 2

    people = AssessmentResult.objects.filter(scheme=schemes["person"], round="final")
    # Figures are each person's own: representatives of one village do not all score alike.
    village = people.values("unit").order_by("unit").first()["unit"]
    assert people.filter(unit=village).values("total").distinct().count() > 1
    assert people.filter(person__username="village").exists()

    counts = (AssessmentScheme.objects.count(), AssessmentResult.objects.count())
    seed_demo(activity=True)
    assert (AssessmentScheme.objects.count(), AssessmentResult.objects.count()) == counts
