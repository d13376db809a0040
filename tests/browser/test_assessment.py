"""A year's 考核 in a real browser, in Chinese: the ``township`` account fills in its 自评 with a
photo as evidence and submits it, ``admin`` runs the 初评 and in the 复评 lowers one item with a
reason, ``leader`` gives the 审定, and the published ranking is read by the township."""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.assessment import services
from apps.assessment.models import AssessmentResult, ManualScore
from apps.organizations.models import Period
from tests.browser.navigation import open_nav, sign_out

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TITLE = "年度乡镇妇联阵地建设考核"


@pytest.fixture
def scheme(demo_county):
    admin = User.objects.get(username="admin")
    return services.save_scheme(
        admin,
        title=TITLE,
        period=Period.objects.filter(kind=Period.Kind.YEAR).order_by("-start_date").first(),
        level="township",
        indicators=[
            {
                "title": "名单、制度上墙",
                "max_points": 40,
                "kind": "checklist",
                "evidence": "上传阵地照片",
            },
            {"title": "集中测评", "max_points": 60, "kind": "manual"},
        ],
        result_rule={"grades": [{"name": "优秀", "min": 90}, {"name": "完成任务"}]},
    )


def open_scheme(page):
    open_nav(page, "考核督查", "考核方案")
    page.get_by_test_id("scheme-list").get_by_role("link").filter(has_text=TITLE).click()


def round_step(page, round_, step):
    page.get_by_test_id(f"{step}-{round_}").click()


def test_self_assessment_review_approval_and_published_ranking(page, scheme, sign_in):
    township = User.objects.get(username="township").primary_membership.unit
    checklist = scheme.indicators.get(title="名单、制度上墙")

    sign_in("township")
    open_scheme(page)
    page.get_by_test_id("sheets").get_by_role("link", name=township.name).click()
    sheet = page.get_by_test_id(f"item-{checklist.pk}")
    sheet.get_by_label("得分").fill("38")
    sheet.get_by_label("佐证说明").fill("妇联执委名单、工作制度已上墙")
    sheet.get_by_label("佐证材料文件").set_input_files(
        files=[{"name": "阵地.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_test_id("save-sheet").click()
    expect(page.get_by_text("评分已保存")).to_be_visible()
    expect(page.get_by_test_id("sheet-total")).to_have_text("38.00")
    expect(page.get_by_role("link", name="阵地.png")).to_be_visible()
    page.get_by_role("link", name=scheme.title).click()
    round_step(page, "self", "approve")
    expect(page.get_by_text("已审核通过 1 个结果。")).to_be_visible()
    sign_out(page)

    sign_in("admin")
    open_scheme(page)
    round_step(page, "self", "approve")
    for round_ in ("initial", "review"):
        round_step(page, round_, "score")
        if round_ == "initial":
            round_step(page, round_, "approve")
    page.get_by_test_id("sheets").get_by_role("link", name=township.name).click()
    expect(page.get_by_role("heading", name=f"{township.name} · 复评")).to_be_visible()
    sheet = page.get_by_test_id(f"item-{checklist.pk}")
    expect(sheet.get_by_label("得分")).to_have_value("38.00")
    sheet.get_by_label("得分").fill("34")
    page.get_by_test_id("save-sheet").click()
    expect(sheet.get_by_text("复评改分需要说明理由")).to_be_visible()
    sheet.get_by_label("原因").fill("实地查看，部分制度未上墙")
    page.get_by_test_id("save-sheet").click()
    expect(page.get_by_test_id("sheet-total")).to_have_text("34.00")
    page.get_by_role("link", name=scheme.title).click()
    round_step(page, "review", "approve")
    round_step(page, "final", "score")
    sign_out(page)

    sign_in("leader")
    open_scheme(page)
    round_step(page, "final", "approve")
    expect(page.get_by_text(re.compile(r"已审核通过 \d+ 个结果。"))).to_be_visible()
    sign_out(page)

    sign_in("admin")
    open_scheme(page)
    round_step(page, "final", "publish")
    expect(page.get_by_text("考核排名已公布。")).to_be_visible()
    sign_out(page)

    sign_in("township")
    open_scheme(page)
    page.get_by_test_id("round-final").get_by_role("link", name="审定").click()
    results = AssessmentResult.objects.filter(scheme=scheme, round="final")
    assert results.filter(published_at=None).count() == 0
    ranking = page.get_by_test_id("result-list")
    expect(ranking).to_contain_text(township.name)
    other = results.exclude(unit=township).order_by("rank").first()
    expect(ranking).to_contain_text(other.unit.name)
    review = ManualScore.objects.get(indicator=checklist, unit=township, round="review")
    assert review.reason == "实地查看，部分制度未上墙"
    assert results.get(unit=township).total == 34
