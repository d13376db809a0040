"""The nightly scoring on a real worker: a scheme too big for one task is scored in parts (one
task per unit under its owner) and ranked once every part is written, with the same figures,
ranks, grades and prizes as one task gives."""

from decimal import Decimal

import pytest

from apps.assessment import services, tasks
from apps.assessment.models import AssessmentLine, AssessmentResult
from tests.conftest import wait_for


@pytest.fixture
def scheme(county_admin, year, township_c, figures, county):
    """Three townships scored from one data item; 优秀 for at most half, two prizes."""
    figures["test.score"] = {
        county.township_a.pk: 90,
        county.township_b.pk: 70,
        township_c.pk: 80,
    }
    return services.save_scheme(
        county_admin,
        title="2026年度乡镇妇联工作考核",
        period=year,
        level="township",
        indicators=[
            {"title": "目标任务完成", "max_points": 100, "kind": "data", "source": "test.score"}
        ],
        result_rule={
            "grades": [{"name": "优秀", "quota": 50}, {"name": "合格"}],
            "prizes": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1}],
        },
        vetoes=[{"reason": "不良影响", "source": "test.incidents", "at_least": 1}],
    )


def standings(scheme):
    return sorted(
        AssessmentResult.objects.filter(scheme=scheme, round="self").values_list(
            "unit__name", "total", "rank", "grade", "title", "eligible"
        )
    )


def test_scoring_in_parts_then_ranking_gives_what_one_run_gives(
    county, scheme, township_c, figures, django_assert_num_queries
):
    figures["test.incidents"] = {township_c.pk: 1}
    services.score_scheme(scheme, "self")
    whole = standings(scheme)
    assert whole == [
        ("丙镇", Decimal("80.00"), None, "合格", "", False),
        ("乙镇", Decimal("70.00"), 2, "合格", "二等奖", True),
        ("甲镇", Decimal("90.00"), 1, "优秀", "一等奖", True),
    ]

    AssessmentResult.objects.all().delete()
    for township in (county.township_a, county.township_b, township_c):
        services.score_scheme(scheme, "self", under=township)
    assert {row[2] for row in standings(scheme)} == {None}  # not ranked part by part
    # Each part rewrote its own results' breakdown, and left the other parts' in place.
    assert set(AssessmentLine.objects.values_list("result__unit", flat=True)) == {
        county.township_a.pk,
        county.township_b.pk,
        township_c.pk,
    }
    # A savepoint, the read, the update (a staging table made, copied into, updated from,
    # dropped), the savepoint's release.
    with django_assert_num_queries(7):
        services.rank_round(scheme, "self")
    assert standings(scheme) == whole

    # The next night: a part rescored keeps its results' standing until the round is ranked.
    figures["test.score"][county.township_b.pk] = 95
    services.score_scheme(scheme, "self", under=county.township_b)
    assert ("乙镇", Decimal("95.00"), 2, "合格", "二等奖", True) in standings(scheme)
    services.rank_round(scheme, "self")
    assert standings(scheme) == [
        ("丙镇", Decimal("80.00"), None, "合格", "", False),
        ("乙镇", Decimal("95.00"), 1, "优秀", "一等奖", True),
        ("甲镇", Decimal("90.00"), 2, "合格", "二等奖", True),
    ]


def test_a_tie_is_broken_alike_by_one_run_and_by_the_ranking_of_parts(
    county, scheme, township_c, figures
):
    """One run sorts its results in Python, ``rank_round`` reads them sorted by PostgreSQL:
    tied totals go by place in the tree either way (the first prize to 甲镇, before 乙镇)."""
    figures["test.score"] = {county.township_a.pk: 80, county.township_b.pk: 80, township_c.pk: 60}
    services.score_scheme(scheme, "self")
    whole = standings(scheme)
    assert whole == [
        ("丙镇", Decimal("60.00"), 3, "合格", "", True),
        ("乙镇", Decimal("80.00"), 1, "合格", "二等奖", True),
        ("甲镇", Decimal("80.00"), 1, "优秀", "一等奖", True),
    ]
    AssessmentResult.objects.all().delete()
    for township in (township_c, county.township_b, county.township_a):
        services.score_scheme(scheme, "self", under=township)
    services.rank_round(scheme, "self")
    assert standings(scheme) == whole


def test_a_large_scheme_is_scored_in_parts_on_a_real_worker(
    celery_worker, monkeypatch, county, scheme, township_c
):
    monkeypatch.setattr(services, "SCORING_PART", 1)
    assert services.scoring_parts(scheme) == list(
        county.county.children.order_by("path").values_list("pk", flat=True)
    )
    tasks.score_scheme.delay(scheme.pk, "self")
    results = AssessmentResult.objects.filter(scheme=scheme, round="self")
    assert wait_for(lambda: results.count() == 3 and not results.filter(rank=None).exists())
    assert standings(scheme) == [
        ("丙镇", Decimal("80.00"), 2, "合格", "二等奖", True),
        ("乙镇", Decimal("70.00"), 3, "合格", "", True),
        ("甲镇", Decimal("90.00"), 1, "优秀", "一等奖", True),
    ]


def test_a_small_scheme_is_one_task(scheme):
    assert services.scoring_parts(scheme) == []
