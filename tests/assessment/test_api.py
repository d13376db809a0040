"""The API: a scheme saved as one document, results scoped per role, query counts pinned."""

from decimal import Decimal

import pytest

from apps.assessment import services
from apps.assessment.models import AssessmentLine, AssessmentResult, AssessmentScheme, Indicator
from apps.organizations.models import OrgUnit
from tests.conftest import make_unit

DOCUMENT = {
    "title": "2026年度乡镇妇联工作目标考核",
    "level": "township",
    "parts": [{"name": "平时", "weight": "60"}, {"name": "年终", "weight": "40"}],
    "indicators": [
        {
            "title": "平时工作",
            "max_points": "100",
            "part": "平时",
            "children": [
                {"title": "组织建设", "max_points": "60", "kind": "manual"},
                {"title": "制度上墙", "max_points": "40", "kind": "checklist", "evidence": "照片"},
            ],
        },
        {"title": "年终考核", "max_points": "100", "part": "年终", "kind": "manual"},
    ],
    "result_rule": {"grades": [{"name": "优秀", "min": 90, "quota": 30}, {"name": "合格"}]},
    "vetoes": [],
}


def test_a_scheme_is_one_document(api_as, county_admin, year):
    response = api_as(county_admin).post(
        "/api/v1/assessment-schemes/", DOCUMENT | {"period": year.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [part["name"] for part in body["parts"]] == ["平时", "年终"]
    tree = body["indicators"]
    assert [child["title"] for child in tree[0]["children"]] == ["组织建设", "制度上墙"]
    assert tree[0]["children"][1]["part"] == "平时"
    assert Indicator.objects.count() == 4


def test_a_bad_document_writes_nothing(api_as, county_admin, year):
    bad = DOCUMENT | {
        "period": year.pk,
        "parts": [{"name": "平时", "weight": "60"}, {"name": "年终", "weight": "30"}],
    }
    bad["indicators"] = [
        {
            "title": "平时工作",
            "max_points": "100",
            "part": "平时",
            "children": [
                {"title": "组织建设", "max_points": "50", "kind": "manual"},
            ],
        },
        {
            "title": "目标完成",
            "max_points": "100",
            "part": "年终",
            "kind": "data",
            "source": "none.such",
        },
    ]
    response = api_as(county_admin).post("/api/v1/assessment-schemes/", bad, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["parts"] == ["各考核部分权重合计为90%，不是100%。"]
    assert errors["indicators"] == [
        "类别“平时工作”分值为100分，但其下各项合计50分。",
        "指标“目标完成”：数据来源“none.such”不存在。",
    ]
    assert not AssessmentScheme.objects.exists() and not Indicator.objects.exists()


def test_township_staff_may_not_write_schemes(api_as, township_a_staff, year):
    response = api_as(township_a_staff).post(
        "/api/v1/assessment-schemes/", DOCUMENT | {"period": year.pk}, format="json"
    )
    assert response.status_code == 403
    assert not AssessmentScheme.objects.exists()


@pytest.fixture
def scored(county, county_admin, year, village_a1_rep):
    scheme = services.save_scheme(
        county_admin,
        title="乡镇考核",
        period=year,
        level="township",
        indicators=[{"title": "综合", "max_points": 100, "kind": "manual"}],
    )
    services.score_scheme(scheme, "self")
    services.score_scheme(scheme, "initial")
    return scheme


def units_seen(api_as, user):
    response = api_as(user).get("/api/v1/assessment-results/")
    assert response.status_code == 200
    return sorted({row["unit"] for row in response.json()["results"]})


def test_who_sees_which_results(
    api_as, county, scored, county_admin, leader, township_a_staff, village_a1_rep, dept_liaison
):
    both = sorted([county.township_a.pk, county.township_b.pk])
    assert units_seen(api_as, county_admin) == both
    assert units_seen(api_as, leader) == both
    assert units_seen(api_as, township_a_staff) == [county.township_a.pk]
    assert units_seen(api_as, village_a1_rep) == []
    assert units_seen(api_as, dept_liaison) == []
    other = AssessmentResult.objects.get(unit=county.township_b, round="self")
    assert (
        api_as(township_a_staff).get(f"/api/v1/assessment-results/{other.pk}/").status_code == 404
    )


def test_a_result_shows_every_round_and_its_breakdown(api_as, county, scored, township_a_staff):
    result = AssessmentResult.objects.get(unit=county.township_a, round="initial")
    body = api_as(township_a_staff).get(f"/api/v1/assessment-results/{result.pk}/").json()
    assert body["rounds"] == {"self": "0.00", "initial": "0.00"}
    assert [row["indicator"] for row in body["breakdown"]] == ["综合"]
    assert body["eligible"] is True and body["veto_reasons"] == []


def test_the_result_list_takes_a_fixed_number_of_queries(
    api_as, county, scored, county_admin, django_assert_num_queries
):
    client = api_as(county_admin)
    with django_assert_num_queries(6):
        assert client.get("/api/v1/assessment-results/").status_code == 200
    for number in range(5):
        make_unit(f"新{number}镇", f"10020{number}", OrgUnit.Kind.TOWNSHIP, county.county)
    services.score_scheme(scored, "self")
    with django_assert_num_queries(6):
        response = client.get("/api/v1/assessment-results/")
    assert response.json()["count"] == 7 + 2


# Reads; the results' upsert and the lines' (each a staging table made, copied into, upserted
# from, dropped); DISCARD PLANS.
SCORING_QUERIES = 18


def test_scoring_takes_a_fixed_number_of_queries(county, scored, django_assert_num_queries):
    with django_assert_num_queries(SCORING_QUERIES):
        services.score_scheme(scored, "self")
    for number in range(5):
        make_unit(f"新{number}镇", f"10020{number}", OrgUnit.Kind.TOWNSHIP, county.county)
    with django_assert_num_queries(SCORING_QUERIES):  # new units' results in the same upsert
        services.score_scheme(scored, "self")
    with django_assert_num_queries(SCORING_QUERIES):
        services.score_scheme(scored, "self")


def test_a_rescoring_rewrites_results_and_lines_in_place(county, scored, county_admin):
    def written():
        return sorted(
            AssessmentLine.objects.filter(result__scheme=scored, result__round="self").values_list(
                "pk", "result_id", "result__unit", "points", "result__total"
            )
        )

    before = written()
    item = Indicator.objects.get(scheme=scored)
    services.enter_score(county_admin, item, unit=county.township_a, round="self", value=80)
    services.score_scheme(scored, "self")
    after = written()
    assert [row[:3] for row in after] == [row[:3] for row in before]  # the same rows
    assert {row[2]: row[3:] for row in after}[county.township_a.pk] == (
        Decimal("80.00"),
        Decimal("80.00"),
    )


def test_score_and_approve_through_the_api(api_as, county, scored, county_admin, township_a_staff):
    item = Indicator.objects.get(scheme=scored)
    response = api_as(township_a_staff).post(
        f"/api/v1/assessment-schemes/{scored.pk}/enter-score/",
        {
            "indicator": item.pk,
            "unit": county.township_a.pk,
            "round": "self",
            "value": "95",
            "evidence": "台账",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    bad = api_as(township_a_staff).post(
        f"/api/v1/assessment-schemes/{scored.pk}/enter-score/",
        {"indicator": item.pk, "unit": county.township_a.pk, "round": "self", "value": "101"},
        format="json",
    )
    assert bad.json() == {"value": ["指标“综合”：得分须在0到100之间。"]}
    assert api_as(county_admin).post(
        f"/api/v1/assessment-schemes/{scored.pk}/score/", {"round": "self"}, format="json"
    ).json() == {"scored": 2}
    result = AssessmentResult.objects.get(unit=county.township_a, round="self")
    assert result.total == 95
    initial = AssessmentResult.objects.get(unit=county.township_a, round="initial")
    out_of_order = api_as(county_admin).post(f"/api/v1/assessment-results/{initial.pk}/approve/")
    assert out_of_order.status_code == 400
    assert "round" in out_of_order.json()
    approved = api_as(township_a_staff).post(f"/api/v1/assessment-results/{result.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["approved_at"]


def test_pages_show_the_ranking_and_the_breakdown(
    client_as, county, scored, township_a_staff, county_admin
):
    result = AssessmentResult.objects.get(unit=county.township_a, round="self")
    page = client_as(county_admin).get("/assessment/results/")
    assert page.status_code == 200 and "甲镇" in page.content.decode()
    assert client_as(township_a_staff).get(result.get_absolute_url()).status_code == 200
    other = AssessmentResult.objects.get(unit=county.township_b, round="self")
    assert client_as(township_a_staff).get(other.get_absolute_url()).status_code == 404
    assert client_as(township_a_staff).get(scored.get_absolute_url()).status_code == 200


def test_the_nightly_run_rescores_the_current_round(county, scored, county_admin):
    import io

    from django.core.management import call_command

    from apps.assessment import tasks

    assert services.current_round(scored) == "self"
    assert tasks.score_scheme(scored.pk) == 2
    for result in AssessmentResult.objects.filter(scheme=scored, round="self"):
        services.approve_result(county_admin, result)
    assert services.current_round(scored) == "initial"
    call_command("score_assessment", scheme=scored.pk, stdout=io.StringIO())
    assert AssessmentResult.objects.filter(scheme=scored).count() == 4


def test_a_representative_sees_only_her_own_person_results(
    api_as, county, county_admin, year, village_a1_rep, executive_members, township_a_staff
):
    scheme = services.save_scheme(
        county_admin,
        title="执委履职考核",
        period=year,
        level="person",
        base_points=60,
        indicators=[
            {"title": "联系户走访", "max_points": 20, "kind": "incident", "rule": {"per_event": 2}}
        ],
    )
    services.score_scheme(scheme, "self")
    rows = api_as(village_a1_rep).get("/api/v1/assessment-results/").json()["results"]
    assert [row["person"] for row in rows] == [village_a1_rep.pk]
    assert rows[0]["total"] == "60.00"
    # Township staff read unit results only, not the people's.
    assert api_as(township_a_staff).get("/api/v1/assessment-results/").json()["results"] == []
