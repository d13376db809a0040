"""The ranking exports to Excel (/assessment/results/?export=xlsx): rank, unit or person, total,
bonus, grade, prize, eligibility and vetoes, and the figure of every round, in a fixed number of
queries and scoped like the page."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from apps.assessment import services
from apps.assessment.models import Indicator

HEADER = (
    "考核方案",
    "轮次",
    "名次",
    "单位",
    "执委",
    "合计",
    "加分",
    "等次",
    "奖项",
    "可参评奖项",
    "否决原因",
    "自评",
    "初评",
    "复评",
    "审定",
)


def workbook_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.content)).active.values)


@pytest.fixture
def reviewed(county, county_admin, year, figures):
    """甲镇 and 乙镇 through 自评, 初评 and 复评 (乙镇 marked down in review, and vetoed); an
    innovation bonus for 甲镇."""
    scheme = services.save_scheme(
        county_admin,
        title="2026年度乡镇妇联工作考核",
        period=year,
        level="township",
        bonus_cap=3,
        indicators=[
            {"title": "工作实绩", "max_points": 100, "kind": "manual"},
            {
                "title": "创新加分",
                "max_points": 5,
                "kind": "data",
                "source": "test.innovations",
                "rule": {"bonus": True, "target": 5},
            },
        ],
        result_rule={
            "grades": [{"name": "优秀", "min": 90, "award": True}, {"name": "合格"}],
            "prizes": [{"name": "一等奖", "count": 1}],
        },
        vetoes=[{"reason": "发生重大负面事件", "source": "test.incidents", "at_least": 1}],
    )
    figures["test.innovations"] = {county.township_a.pk: 2}
    figures["test.incidents"] = {county.township_b.pk: 1}
    work = Indicator.objects.get(scheme=scheme, title="工作实绩")
    for unit, value in [(county.township_a, 88), (county.township_b, 95)]:
        services.enter_score(county_admin, work, unit=unit, round="self", value=value)
    services.enter_score(
        county_admin, work, unit=county.township_b, round="review", value=91, reason="台账不全"
    )
    for round_ in ["self", "initial"]:
        services.score_scheme(scheme, round_)
        services.approve_round(county_admin, scheme, round_)
    services.score_scheme(scheme, "review")
    return scheme


def test_the_ranking_exports_every_rounds_figure(client_as, county_admin, reviewed):
    response = client_as(county_admin).get(
        f"/assessment/results/?scheme={reviewed.pk}&round=review&export=xlsx"
    )
    rows = workbook_rows(response)
    assert rows[0] == HEADER
    title = "2026年度乡镇妇联工作考核"
    assert rows[1:] == [
        (title, "复评", 1, "甲镇", None, 90, 2, "优秀", "一等奖", "是", None, 90, 90, 90, None),
        (
            title,
            "复评",
            None,
            "乙镇",
            None,
            91,
            0,
            "合格",
            None,
            "否",
            "发生重大负面事件",
            95,
            95,
            91,
            None,
        ),
    ]


def test_the_export_takes_the_same_queries_for_more_rows(
    client_as, county_admin, leader, reviewed, django_assert_num_queries
):
    client = client_as(county_admin)
    url = "/assessment/results/?export=xlsx"
    client.get(url)  # the session is read once signed in
    # Session, user, memberships, the count of the page, the rows (round totals included).
    with django_assert_num_queries(10):
        assert len(workbook_rows(client.get(url))) == 1 + 6
    services.approve_round(county_admin, reviewed, "review")
    services.score_scheme(reviewed, "final")
    with django_assert_num_queries(10):
        assert len(workbook_rows(client.get(url))) == 1 + 8


def test_a_township_exports_only_its_own_results(client_as, township_a_staff, reviewed):
    rows = workbook_rows(client_as(township_a_staff).get("/assessment/results/?export=xlsx"))
    assert {row[3] for row in rows[1:]} == {"甲镇"}


def test_a_person_scheme_exports_each_executive_member(
    client_as, county, county_admin, village_a1_rep, executive_members, year
):
    scheme = services.save_scheme(
        county_admin,
        title="2026年度执委履职考核",
        period=year,
        level="person",
        base_points=60,
        indicators=[{"title": "群众评议", "max_points": 20, "kind": "panel"}],
    )
    services.enter_score(
        county_admin,
        Indicator.objects.get(scheme=scheme),
        unit=county.village_a1,
        person=village_a1_rep,
        round="self",
        value=15,
    )
    services.score_scheme(scheme, "self")
    rows = workbook_rows(
        client_as(county_admin).get(f"/assessment/results/?scheme={scheme.pk}&export=xlsx")
    )
    assert [row[3:6] + row[11:] for row in rows[1:]] == [
        ("甲一村", "village_a1_rep", 75, 75, None, None, None),
        ("乙一村", "village_b1_rep", 60, 60, None, None, None),
    ]
