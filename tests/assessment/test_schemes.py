"""Schemes written as real federations write them, each reproduced by hand."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.assessment import services
from apps.assessment.models import AssessmentLine, AssessmentResult, AssessmentScheme, Indicator
from apps.core.roles import Role
from tests.assessment.conftest import scored
from tests.conftest import make_user

D = Decimal


def by_unit(results):
    return {result.unit_id: result for result in results}


def adds_up(result):
    roots = AssessmentLine.objects.filter(result=result, indicator__parent=None)
    return result.scheme.base_points + sum(line.contribution for line in roots) == result.total


def leaf(scheme, title):
    return Indicator.objects.get(scheme=scheme, title=title)


def sixty_forty(county_admin, year):
    """平时 60% + 年终 40%; 优秀 at most a third; 一等奖 1, 二等奖 1."""
    return services.save_scheme(
        county_admin,
        title="2026年度乡镇妇联工作目标考核",
        period=year,
        level="township",
        parts=[{"name": "平时", "weight": 60}, {"name": "年终", "weight": 40}],
        indicators=[
            {
                "title": "平时工作",
                "max_points": 100,
                "part": "平时",
                "children": [
                    {
                        "title": "目标任务完成",
                        "max_points": 70,
                        "kind": "data",
                        "source": "test.score",
                        "rule": {"target": 100},
                    },
                    {
                        "title": "名单、制度上墙",
                        "max_points": 30,
                        "kind": "checklist",
                        "evidence": "上传照片",
                    },
                ],
            },
            {
                "title": "年终考核",
                "max_points": 100,
                "part": "年终",
                "children": [
                    {"title": "实地考核", "max_points": 50, "kind": "manual"},
                    {"title": "集中测评", "max_points": 50, "kind": "panel"},
                ],
            },
        ],
        result_rule={
            "grades": [
                {"name": "优秀", "min": 85, "quota": 34},
                {"name": "良好", "min": 70},
                {"name": "不合格"},
            ],
            "prizes": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1}],
        },
    )


def test_sixty_forty_composition_with_quota_and_prizes(
    county, county_admin, year, township_c, figures
):
    scheme = sixty_forty(county_admin, year)
    a, b, c = county.township_a, county.township_b, township_c
    figures["test.score"] = {a.pk: 90, b.pk: 80, c.pk: 60}
    second = make_user("assessor2", Role.COUNTY_ADMIN, county.county)
    for unit, checklist, field, panel in [
        (a, 28, 45, (40, 44)),
        (b, 30, 40, (48, 46)),
        (c, 20, 30, (30, 30)),
    ]:
        round_ = "initial"
        services.enter_score(
            county_admin, leaf(scheme, "名单、制度上墙"), unit=unit, round=round_, value=checklist
        )
        services.enter_score(
            county_admin, leaf(scheme, "实地考核"), unit=unit, round=round_, value=field
        )
        services.enter_score(
            county_admin, leaf(scheme, "集中测评"), unit=unit, round=round_, value=panel[0]
        )
        services.enter_score(
            second, leaf(scheme, "集中测评"), unit=unit, round=round_, value=panel[1]
        )

    results = by_unit(scored(scheme, "initial"))

    # 甲: 平时 70×90% + 28 = 91, 年终 45 + (40+44)/2 = 87 → 0.6×91 + 0.4×87 = 89.4
    # 乙: 平时 56 + 30 = 86, 年终 40 + 47 = 87 → 51.6 + 34.8 = 86.4
    # 丙: 平时 42 + 20 = 62, 年终 30 + 30 = 60 → 37.2 + 24 = 61.2
    assert [results[u.pk].total for u in (a, b, c)] == [D("89.40"), D("86.40"), D("61.20")]
    assert [results[u.pk].rank for u in (a, b, c)] == [1, 2, 3]
    # 优秀 for at most 34% of three units (one): 乙 reaches 85 but falls to 良好.
    assert [results[u.pk].grade for u in (a, b, c)] == ["优秀", "良好", "不合格"]
    assert [results[u.pk].title for u in (a, b, c)] == ["一等奖", "二等奖", ""]
    assert all(adds_up(result) for result in results.values())
    line = AssessmentLine.objects.get(result=results[a.pk], indicator__title="目标任务完成")
    assert (line.raw, line.points, line.contribution) == (D(90), D("63.00"), D("37.80"))
    assert line.sources == [f"/records/test.score/{a.pk}/"]

    # A rerun gives the same numbers, and no second row.
    again = by_unit(scored(scheme, "initial"))
    assert {k: r.total for k, r in again.items()} == {k: r.total for k, r in results.items()}
    assert AssessmentResult.objects.filter(scheme=scheme).count() == 3
    assert AssessmentLine.objects.filter(result__scheme=scheme).count() == 3 * 6


def per_incident(county_admin, year):
    return services.save_scheme(
        county_admin,
        title="2026年度县直部门妇女儿童工作考核",
        period=year,
        level="department",
        bonus_cap=3,
        indicators=[
            {
                "title": "工作落实",
                "max_points": 40,
                "rule": {"capped": True},
                "children": [
                    {
                        "title": "按时办复",
                        "max_points": 20,
                        "kind": "incident",
                        "source": "test.late",
                        "rule": {"per_event": -1, "multipliers": {"department": 1.5}},
                        "evidence": "未按时限办复每件扣1分",
                    },
                    {
                        "title": "被退办",
                        "max_points": 20,
                        "kind": "incident",
                        "source": "test.returned",
                        "rule": {"per_event": -2, "cap": 10},
                    },
                    {"title": "专项工作", "max_points": 10, "kind": "manual"},
                ],
            },
            {"title": "综合评价", "max_points": 60, "kind": "manual"},
            {
                "title": "创新工作",
                "max_points": 5,
                "kind": "incident",
                "source": "test.innovations",
                "rule": {"per_event": 1, "bonus": True},
            },
        ],
        result_rule={
            "grades": [
                {"name": "优秀", "min": 90, "award": True},
                {"name": "合格", "min": 60},
                {"name": "不合格"},
            ],
            "prizes": [{"name": "一等奖", "count": 1}],
        },
        vetoes=[
            {"reason": "发生严重事件，造成不良影响", "source": "test.incidents", "at_least": 1}
        ],
    )


def test_per_incident_rules_with_category_cap_and_veto(
    county, county_admin, year, departments, figures
):
    scheme = per_incident(county_admin, year)
    d1, d2 = departments
    d3 = county.department
    figures["test.late"] = {d1.pk: 3, d3.pk: 30}
    figures["test.returned"] = {d1.pk: 2, d2.pk: 6}
    figures["test.innovations"] = {d1.pk: 4, d2.pk: 1}
    figures["test.incidents"] = {d1.pk: 1}
    for unit, special, overall in [(d1, 10, 50), (d2, 6, 55)]:
        services.enter_score(
            county_admin, leaf(scheme, "专项工作"), unit=unit, round="initial", value=special
        )
        services.enter_score(
            county_admin, leaf(scheme, "综合评价"), unit=unit, round="initial", value=overall
        )

    results = by_unit(scored(scheme, "initial"))

    # d1: 20 − 3×1×1.5 = 15.5; 20 − 2×2 = 16; 10 → 41.5, capped at 40; + 50; innovation 4,
    #     bonus capped at 3 → 93; vetoed: score kept, not ranked, no award grade, no prize.
    # d2: 20; 20 − min(6×2, 10) = 10; 6 → 36; + 55; + 1 → 92: rank 1, 优秀, 一等奖.
    # d3: 20 − 45 floors at 0; 20; 0 → 20; 0; 0 → 20: rank 2, 不合格.
    r1, r2, r3 = results[d1.pk], results[d2.pk], results[d3.pk]
    assert (r1.total, r1.bonus, r1.eligible, r1.rank, r1.grade, r1.title) == (
        D("93.00"),
        D("3.00"),
        False,
        None,
        "合格",
        "",
    )
    assert r1.veto_reasons == ["发生严重事件，造成不良影响"]
    assert (r2.total, r2.bonus, r2.eligible, r2.rank, r2.grade, r2.title) == (
        D("92.00"),
        D("1.00"),
        True,
        1,
        "优秀",
        "一等奖",
    )
    assert (r3.total, r3.rank, r3.grade) == (D("20.00"), 2, "不合格")
    assert all(adds_up(result) for result in results.values())
    late = AssessmentLine.objects.get(result=r1, indicator__title="按时办复")
    assert (late.raw, late.points) == (D(3), D("15.50"))


def test_schemes_validate_with_messages_naming_the_indicator(county_admin, year):
    def refused(**changes):
        values = {
            "title": "考核",
            "period": year,
            "level": "township",
            "indicators": [
                {
                    "title": "基础工作",
                    "max_points": 35,
                    "children": [
                        {"title": "组织建设", "max_points": 10, "kind": "manual"},
                        {"title": "阵地建设", "max_points": 10, "kind": "manual"},
                        {"title": "制度上墙", "max_points": 10, "kind": "checklist"},
                        {"title": "台账", "max_points": 5, "kind": "manual"},
                    ],
                }
            ],
        } | changes
        with pytest.raises(ValidationError) as error:
            services.save_scheme(county_admin, **values)
        return error.value.message_dict

    bad_sum = [
        {
            "title": "基础工作",
            "max_points": 35,
            "children": [
                {"title": "组织建设", "max_points": 10, "kind": "manual"},
                {"title": "阵地建设", "max_points": 20, "kind": "manual"},
            ],
        }
    ]
    assert refused(indicators=bad_sum)["indicators"] == [
        "类别“基础工作”分值为35分，但其下各项合计30分。"
    ]
    no_source = [{"title": "目标", "max_points": 10, "kind": "data", "source": "nowhere"}]
    assert "数据来源“nowhere”不存在" in refused(indicators=no_source)["indicators"][0]
    assert "目标" in refused(indicators=no_source)["indicators"][0]
    quota = {"grades": [{"name": "优秀", "quota": 120}]}
    assert "优秀" in refused(result_rule=quota)["result_rule"][0]
    parts = [{"name": "平时", "weight": 60}, {"name": "年终", "weight": 30}]
    assert refused(parts=parts)["parts"] == ["各考核部分权重合计为90%，不是100%。"]
    veto = [{"reason": "事故", "source": "nowhere", "at_least": 1}]
    assert "vetoes" in refused(vetoes=veto)
    assert not AssessmentScheme.objects.exists() and not Indicator.objects.exists()


def test_a_total_of_any_size_is_accepted(county_admin, year):
    scheme = services.save_scheme(
        county_admin,
        title="125分制",
        period=year,
        level="township",
        indicators=[
            {"title": "基础工作", "max_points": 75, "kind": "manual"},
            {"title": "重点工作", "max_points": 50, "kind": "manual"},
        ],
    )
    assert sum(i.max_points for i in scheme.indicators.all()) == 125


def test_hand_scores_within_the_item_maximum_or_range(county, county_admin, year, township_a_staff):
    scheme = sixty_forty(county_admin, year)
    item = leaf(scheme, "实地考核")
    with pytest.raises(ValidationError) as error:
        services.enter_score(county_admin, item, unit=county.township_a, round="initial", value=51)
    assert error.value.message_dict == {"value": ["指标“实地考核”：得分须在0到50之间。"]}
    with pytest.raises(PermissionDenied):
        services.enter_score(
            township_a_staff, item, unit=county.township_a, round="initial", value=5
        )
    with pytest.raises(PermissionDenied):
        services.enter_score(township_a_staff, item, unit=county.township_b, round="self", value=5)
    data = leaf(scheme, "目标任务完成")
    with pytest.raises(ValidationError):
        services.enter_score(county_admin, data, unit=county.township_a, round="initial", value=5)
    assert not scheme.indicators.filter(scores__isnull=False).exists()


def test_a_unit_without_assigned_tasks_is_not_ranked_for_awards(
    county, county_admin, year, figures
):
    scheme = services.save_scheme(
        county_admin,
        title="考核",
        period=year,
        level="township",
        indicators=[{"title": "综合", "max_points": 100, "kind": "manual"}],
        result_rule={"prizes": [{"name": "先进单位", "count": 2}]},
        vetoes=[{"reason": "未承担目标任务", "source": "test.score", "at_most": 0}],
    )
    figures["test.score"] = {county.township_a.pk: 80}
    for unit, value in [(county.township_a, 70), (county.township_b, 90)]:
        services.enter_score(
            county_admin, leaf(scheme, "综合"), unit=unit, round="initial", value=value
        )
    results = by_unit(scored(scheme, "initial"))
    a, b = results[county.township_a.pk], results[county.township_b.pk]
    assert (a.rank, a.title, a.eligible) == (1, "先进单位", True)
    assert (b.total, b.rank, b.title, b.eligible) == (D("90.00"), None, "", False)
    assert b.veto_reasons == ["未承担目标任务"]
