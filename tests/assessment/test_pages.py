"""The assessment pages: a unit's score sheet with evidence, the round steps on the scheme page,
vetoes recorded by hand, closed periods, and who reads what (a published ranking, evidence)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.assessment import services
from apps.assessment.models import AssessmentResult, Indicator, ManualScore, ManualVeto
from apps.core.roles import Role
from tests.conftest import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def scheme(county_admin, year):
    return services.save_scheme(
        county_admin,
        title="2026年度乡镇妇联工作考核",
        period=year,
        level="township",
        indicators=[
            {
                "title": "阵地建设",
                "max_points": 40,
                "kind": "checklist",
                "evidence": "上传阵地照片",
            },
            {"title": "工作实绩", "max_points": 60, "kind": "manual"},
        ],
        result_rule={"grades": [{"name": "优秀", "min": 80}, {"name": "合格"}]},
    )


def item(scheme, title):
    return Indicator.objects.get(scheme=scheme, title=title)


def sheet_url(scheme, unit, round_="self"):
    return f"{reverse('assessment:score-sheet', args=[scheme.pk])}?unit={unit.pk}&round={round_}"


def sheet_post(scheme, unit, round_, values, **extra):
    data = {"unit": unit.pk, "round": round_}
    for title, value in values.items():
        data[f"value_{item(scheme, title).pk}"] = value
    return data | extra


def test_township_fills_in_its_self_assessment_with_evidence(
    client_as, township_a_staff, county, scheme
):
    client = client_as(township_a_staff)
    page = client.get(sheet_url(scheme, county.township_a))
    assert page.status_code == 200
    assert "上传阵地照片" in page.content.decode()

    checklist = item(scheme, "阵地建设")
    photo = SimpleUploadedFile("阵地.png", PNG, content_type="image/png")
    response = client.post(
        sheet_url(scheme, county.township_a),
        sheet_post(
            scheme,
            county.township_a,
            "self",
            {"阵地建设": "36", "工作实绩": "50"},
            **{f"evidence_{checklist.pk}": "制度已上墙", f"files_{checklist.pk}": photo},
        ),
    )
    assert response.status_code == 302
    score = ManualScore.objects.get(indicator=checklist, unit=county.township_a)
    assert (score.value, score.evidence) == (Decimal(36), "制度已上墙")
    assert [stored.original_name for stored in score.files.all()] == ["阵地.png"]
    result = AssessmentResult.objects.get(scheme=scheme, unit=county.township_a, round="self")
    assert result.total == Decimal(86)

    page = client.get(sheet_url(scheme, county.township_a)).content.decode()
    assert "阵地.png" in page and 'value="36.00"' in page
    download = client.get(score.files.get().get_absolute_url())
    assert download.status_code == 200


def test_a_bad_sheet_names_the_item_and_writes_nothing(client_as, township_a_staff, county, scheme):
    response = client_as(township_a_staff).post(
        sheet_url(scheme, county.township_a),
        sheet_post(scheme, county.township_a, "self", {"阵地建设": "36", "工作实绩": "61"}),
    )
    assert response.status_code == 200
    assert "工作实绩" in response.context["form"].errors[f"value_{item(scheme, '工作实绩').pk}"][0]
    assert not ManualScore.objects.exists()
    assert not AssessmentResult.objects.exists()


def test_a_unit_opens_only_its_own_sheet_and_only_the_self_assessment(
    client_as, township_a_staff, county, scheme
):
    client = client_as(township_a_staff)
    assert client.get(sheet_url(scheme, county.township_b)).status_code == 404
    response = client.post(
        sheet_url(scheme, county.township_a, "review"),
        sheet_post(scheme, county.township_a, "review", {"阵地建设": "30"}),
    )
    assert response.status_code == 403
    assert not ManualScore.objects.exists()


def test_a_change_in_the_second_review_needs_a_reason(client_as, county_admin, county, scheme):
    client = client_as(county_admin)
    values = {"阵地建设": "36", "工作实绩": "50"}
    for round_ in ("self", "initial"):
        client.post(
            sheet_url(scheme, county.township_a, round_),
            sheet_post(scheme, county.township_a, round_, values),
        )
    review = sheet_url(scheme, county.township_a, "review")
    page = client.get(review)
    assert page.context["form"].initial[f"value_{item(scheme, '阵地建设').pk}"] == Decimal(36)

    refused = client.post(
        review, sheet_post(scheme, county.township_a, "review", {"阵地建设": "30"})
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors[f"reason_{item(scheme, '阵地建设').pk}"]
    assert not ManualScore.objects.filter(round="review").exists()

    checklist = item(scheme, "阵地建设")
    client.post(
        review,
        sheet_post(
            scheme,
            county.township_a,
            "review",
            {"阵地建设": "30"},
            **{f"reason_{checklist.pk}": "实地查看，部分制度未上墙"},
        ),
    )
    result = AssessmentResult.objects.get(scheme=scheme, unit=county.township_a, round="review")
    assert result.total == Decimal(80)


def step(client, scheme, round_, name):
    return client.post(
        reverse("assessment:round-step", args=[scheme.pk]), {"round": round_, "step": name}
    )


def test_rounds_are_approved_in_order_by_their_approvers_then_published(
    client_as, county_admin, leader, township_a_staff, county, scheme
):
    admin = client_as(county_admin)
    for unit in (county.township_a, county.township_b):
        admin.post(sheet_url(scheme, unit), sheet_post(scheme, unit, "self", {"阵地建设": "30"}))
    step(admin, scheme, "initial", "score")
    step(admin, scheme, "initial", "approve")
    assert not AssessmentResult.objects.filter(round="initial").exclude(approved_at=None).exists()

    step(client_as(township_a_staff), scheme, "self", "approve")
    own = AssessmentResult.objects.get(round="self", unit=county.township_a)
    other = AssessmentResult.objects.get(round="self", unit=county.township_b)
    assert own.approved_at and not other.approved_at

    step(admin, scheme, "self", "approve")
    for round_ in ("initial", "review"):
        step(admin, scheme, round_, "score")
        step(admin, scheme, round_, "approve")
    step(admin, scheme, "final", "score")
    step(admin, scheme, "final", "approve")  # the 审定 is the leadership's
    assert not AssessmentResult.objects.filter(round="final").exclude(approved_at=None).exists()

    step(client_as(leader), scheme, "final", "approve")
    assert not AssessmentResult.objects.filter(round="final", approved_at=None).exists()
    step(admin, scheme, "final", "publish")
    assert not AssessmentResult.objects.filter(round="final", published_at=None).exists()


def test_a_published_ranking_is_read_by_the_units_scored_but_not_before(
    client_as, county_admin, leader, county, scheme
):
    services.score_scheme(scheme, "self")
    staff_b = make_user("乙镇妇联", Role.TOWNSHIP_STAFF, county.township_b)
    listed = client_as(staff_b).get(reverse("assessment:result-list")).context["object_list"]
    assert {result.unit for result in listed} == {county.township_b}

    for round_ in ("self", "initial", "review", "final"):
        services.score_scheme(scheme, round_)
        services.approve_round(leader if round_ == "final" else county_admin, scheme, round_)
    services.publish_round(county_admin, scheme, "final")
    listed = client_as(staff_b).get(reverse("assessment:result-list")).context["object_list"]
    assert {(result.unit, result.round) for result in listed if result.round == "final"} == {
        (county.township_a, "final"),
        (county.township_b, "final"),
    }
    assert {result.unit for result in listed if result.round != "final"} == {county.township_b}


def test_only_the_final_round_is_published(county_admin, county, scheme):
    services.score_scheme(scheme, "self")
    services.approve_round(county_admin, scheme, "self")
    with pytest.raises(ValidationError):
        services.publish_round(county_admin, scheme, "self")
    assert not AssessmentResult.objects.exclude(published_at=None).exists()


def test_a_veto_recorded_by_hand_removes_eligibility_and_keeps_the_score(
    client_as, county_admin, county, scheme
):
    services.score_scheme(scheme, "self")
    before = AssessmentResult.objects.get(unit=county.township_a, round="self")
    client = client_as(county_admin)
    response = client.post(
        reverse("assessment:veto-create", args=[scheme.pk]),
        {"unit": county.township_a.pk, "reason": "发生重大事件，造成不良影响"},
    )
    assert response.status_code == 302
    result = AssessmentResult.objects.get(unit=county.township_a, round="self")
    assert (result.eligible, result.veto_reasons) == (False, ["发生重大事件，造成不良影响"])
    assert (result.total, result.rank) == (before.total, None)

    client.post(reverse("assessment:veto-remove", args=[ManualVeto.objects.get().pk]))
    assert AssessmentResult.objects.get(unit=county.township_a, round="self").eligible


def test_a_veto_needs_a_reason_and_a_unit_the_scheme_scores(
    client_as, county_admin, county, scheme
):
    client = client_as(county_admin)
    url = reverse("assessment:veto-create", args=[scheme.pk])
    assert client.post(url, {"unit": county.township_a.pk, "reason": " "}).status_code == 200
    assert client.post(url, {"unit": county.village_a1.pk, "reason": "x"}).status_code == 200
    assert not ManualVeto.objects.exists()


def test_a_closed_period_no_longer_changes(
    client_as, api_as, county_admin, township_a_staff, county, scheme, year
):
    services.score_scheme(scheme, "self")
    year.is_closed = True
    year.save()
    refused = client_as(township_a_staff).post(
        sheet_url(scheme, county.township_a),
        sheet_post(scheme, county.township_a, "self", {"阵地建设": "36"}),
    )
    assert "已关闭" in " ".join(refused.context["form"].non_field_errors())
    response = api_as(county_admin).post(
        f"/api/v1/assessment-schemes/{scheme.pk}/score/", {"round": "self"}, format="json"
    )
    assert response.status_code == 400
    assert not ManualScore.objects.exists()


def test_evidence_is_read_only_by_who_reads_the_score(
    client_as, county_admin, township_a_staff, dept_liaison, county, scheme
):
    services.enter_score(
        township_a_staff,
        item(scheme, "阵地建设"),
        unit=county.township_a,
        round="self",
        value=36,
        files=[SimpleUploadedFile("阵地.png", PNG, content_type="image/png")],
    )
    url = ManualScore.objects.get().files.get().get_absolute_url()
    staff_b = make_user("乙镇妇联", Role.TOWNSHIP_STAFF, county.township_b)
    assert client_as(county_admin).get(url).status_code == 200
    assert client_as(staff_b).get(url).status_code == 404
    assert client_as(dept_liaison).get(url).status_code == 404


def test_the_scheme_page_and_a_sheet_take_a_fixed_number_of_queries(
    client_as, county_admin, county, scheme, django_assert_max_num_queries
):
    services.score_scheme(scheme, "self")
    client = client_as(county_admin)
    with django_assert_max_num_queries(20) as counted:
        client.get(scheme.get_absolute_url())
    baseline = len(counted.captured_queries)
    for number in range(6):
        services.add_veto(county_admin, scheme, unit=county.township_b, reason=f"事件{number}")
    with django_assert_max_num_queries(baseline):
        client.get(scheme.get_absolute_url())
    with django_assert_max_num_queries(20):
        client.get(sheet_url(scheme, county.township_a))
