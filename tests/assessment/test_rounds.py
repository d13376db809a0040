"""Rounds 自评 → 初评 → 复评 → 审定, and an individual 执委 score on a base of 60."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.assessment import services
from apps.assessment.models import AssessmentLine, AssessmentResult, Indicator
from tests.assessment.conftest import scored

D = Decimal


def leaf(scheme, title):
    return Indicator.objects.get(scheme=scheme, title=title)


def hundred_twenty_five(county_admin, year):
    """A 125-point tree: 基础工作 75 (three items of 25), 重点工作 50 (30 + 20)."""
    return services.save_scheme(
        county_admin,
        title="2026年度乡镇妇联工作考核（125分）",
        period=year,
        level="township",
        indicators=[
            {
                "title": "基础工作",
                "max_points": 75,
                "children": [
                    {"title": "组织建设", "max_points": 25, "kind": "manual"},
                    {"title": "阵地建设", "max_points": 25, "kind": "checklist"},
                    {"title": "队伍建设", "max_points": 25, "kind": "manual"},
                ],
            },
            {
                "title": "重点工作",
                "max_points": 50,
                "children": [
                    {"title": "巾帼建功", "max_points": 30, "kind": "manual"},
                    {
                        "title": "家庭家教家风",
                        "max_points": 20,
                        "kind": "manual",
                        "rule": {"range": [5, 20]},
                    },
                ],
            },
        ],
        result_rule={
            "grades": [
                {"name": "红旗单位", "min": 110},
                {"name": "先进单位", "min": 100},
                {"name": "达标单位"},
            ]
        },
    )


def self_scores(scheme, user, unit, values):
    for title, value in values.items():
        services.enter_score(
            user, leaf(scheme, title), unit=unit, round="self", value=value, evidence="台账照片"
        )


def test_a_self_score_reduced_on_review_keeps_each_round(
    county, county_admin, leader, township_a_staff, year
):
    scheme = hundred_twenty_five(county_admin, year)
    a = county.township_a
    self_scores(
        scheme,
        township_a_staff,
        a,
        {"组织建设": 25, "阵地建设": 24, "队伍建设": 23, "巾帼建功": 28, "家庭家教家风": 20},
    )
    (own,) = [r for r in scored(scheme, "self") if r.unit_id == a.pk]
    assert own.total == D("120.00") and own.grade == "红旗单位"  # 25+24+23+28+20

    # The initial review takes the self-scores over unless an assessor enters another figure.
    services.approve_result(township_a_staff, own)
    services.enter_score(county_admin, leaf(scheme, "巾帼建功"), unit=a, round="initial", value=26)
    (initial,) = [r for r in scored(scheme, "initial") if r.unit_id == a.pk]
    assert initial.total == D("118.00")
    services.approve_result(county_admin, initial)

    # The second review reduces 家庭家教家风 from 20 to 8: a change needs a reason.
    item = leaf(scheme, "家庭家教家风")
    with pytest.raises(ValidationError) as error:
        services.enter_score(county_admin, item, unit=a, round="review", value=8)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:  # 扣5-10分 style range: 5 to 20
        services.enter_score(county_admin, item, unit=a, round="review", value=4, reason="台账缺失")
    assert error.value.message_dict == {"value": ["指标“家庭家教家风”：分值须在5到20之间。"]}
    services.enter_score(county_admin, item, unit=a, round="review", value=8, reason="台账缺失")
    (review,) = [r for r in scored(scheme, "review") if r.unit_id == a.pk]
    assert review.total == D("106.00") and review.grade == "先进单位"  # 25+24+23+26+8

    # 审定 out of order is refused; the leadership approves the final round.
    (final,) = [r for r in scored(scheme, "final") if r.unit_id == a.pk]
    with pytest.raises(ValidationError) as error:
        services.approve_result(leader, final)
    assert "round" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.approve_result(township_a_staff, review)
    services.approve_result(county_admin, review)
    with pytest.raises(PermissionDenied):
        services.approve_result(county_admin, final)
    services.approve_result(leader, final)

    # Each round's figure is kept; an approved round is not rescored.
    assert services.round_figures([final])[final.pk] == {
        "self": D("120.00"),
        "initial": D("118.00"),
        "review": D("106.00"),
        "final": D("106.00"),
    }
    services.score_scheme(scheme, "final")
    assert AssessmentResult.objects.get(pk=final.pk).total == D("106.00")

    # Publishing needs every result of the round approved (乙镇's is not).
    with pytest.raises(ValidationError):
        services.publish_results(county_admin, final)
    other = AssessmentResult.objects.get(scheme=scheme, unit=county.township_b, round="final")
    for round_ in ["self", "initial", "review"]:
        r = AssessmentResult.objects.filter(
            scheme=scheme, unit=county.township_b, round=round_
        ).first()
        if r is None:
            r = [x for x in scored(scheme, round_) if x.unit_id == county.township_b.pk][0]
        services.approve_result(leader if round_ == "final" else county_admin, r)
    services.approve_result(leader, other)
    services.publish_results(county_admin, final)
    assert not AssessmentResult.objects.filter(
        scheme=scheme, round="final", published_at=None
    ).exists()


def test_an_executive_member_scored_on_a_base_of_sixty(
    county, county_admin, village_a1_rep, village_b1_rep, executive_members, year
):
    """执委履职: 60 base; 参加会议 deducts 10 when she never attends, 联系户走访 adds 2 a visit
    up to 20, 群众评议 a panel of up to 20."""
    scheme = services.save_scheme(
        county_admin,
        title="2026年度村妇联执委履职考核",
        period=year,
        level="person",
        base_points=60,
        indicators=[
            {
                "title": "从未参加会议",
                "max_points": 10,
                "kind": "incident",
                "rule": {"per_event": -10},
            },
            {"title": "联系户走访", "max_points": 20, "kind": "incident", "rule": {"per_event": 2}},
            {"title": "群众评议", "max_points": 20, "kind": "panel"},
        ],
        result_rule={
            "grades": [{"name": "优秀", "min": 80}, {"name": "称职", "min": 60}, {"name": "不称职"}]
        },
    )
    a1, b1 = county.village_a1, county.village_b1
    enter = services.enter_score
    enter(
        county_admin,
        leaf(scheme, "从未参加会议"),
        unit=b1,
        person=village_b1_rep,
        round="initial",
        value=1,
    )
    enter(
        county_admin,
        leaf(scheme, "联系户走访"),
        unit=a1,
        person=village_a1_rep,
        round="initial",
        value=12,
    )
    enter(
        county_admin,
        leaf(scheme, "联系户走访"),
        unit=b1,
        person=village_b1_rep,
        round="initial",
        value=3,
    )
    enter(
        county_admin,
        leaf(scheme, "群众评议"),
        unit=a1,
        person=village_a1_rep,
        round="initial",
        value=18,
    )
    enter(
        county_admin,
        leaf(scheme, "群众评议"),
        unit=b1,
        person=village_b1_rep,
        round="initial",
        value=10,
    )

    results = {r.person_id: r for r in scored(scheme, "initial")}

    # 她 (甲一村): 60 + 0 + min(24, 20) + 18 = 98; 乙一村: 60 − 10 + 6 + 10 = 66.
    mine, other = results[village_a1_rep.pk], results[village_b1_rep.pk]
    assert (mine.total, mine.grade, mine.rank) == (D("98.00"), "优秀", 1)
    assert (other.total, other.grade, other.rank) == (D("66.00"), "称职", 2)
    roots = AssessmentLine.objects.filter(result=other, indicator__parent=None)
    assert 60 + sum(line.contribution for line in roots) == other.total
