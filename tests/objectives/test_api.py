"""The objectives API end to end, its bad-input answers and its scoping."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.objectives import services
from apps.objectives.models import Objective, ProgressReport, Reward
from tests.objectives.conftest import quantitative
from tests.objectives.test_progress import ELF, PDF


def objective_payload(plan_id, unit, **overrides):
    return {
        "plan": plan_id,
        "category": "development",
        "title": "开展巾帼技能培训",
        "kind": "quantitative",
        "measure_unit": "人次",
        "target": "300",
        "weight": "10",
        "due_date": "2026-12-31",
        "assignee_unit": unit.pk,
    } | overrides


def test_set_decompose_and_publish_through_the_api(api_as, county, county_admin, period):
    api = api_as(county_admin)
    plan = api.post(
        "/api/v1/objective-plans/",
        {"period": period.pk, "unit": county.county.pk, "title": "责任书"},
    ).json()
    root = api.post("/api/v1/objectives/", objective_payload(plan["id"], county.county)).json()
    for unit, weight, target in ((county.township_a, "6", "180"), (county.township_b, "4", "120")):
        response = api.post(
            "/api/v1/objectives/",
            {
                "plan": plan["id"],
                "parent": root["id"],
                "title": "培训",
                "weight": weight,
                "target": target,
                "due_date": "2026-12-31",
                "assignee_unit": unit.pk,
                "category": "development",
            },
        )
        assert response.status_code == 201, response.json()
    response = api.post(f"/api/v1/objective-plans/{plan['id']}/publish/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"
    detail = api.get(f"/api/v1/objectives/{root['id']}/").json()
    assert len(detail["children"]) == 2
    assert detail["light"] in {"green", "yellow", "red"}


def test_publishing_a_plan_that_breaks_the_rules_says_which_and_why(
    api_as, training, county, county_admin
):
    services.add_objective(
        county_admin,
        training.plan,
        parent=training,
        **quantitative(assignee_unit=county.township_a, weight=Decimal(6), target=Decimal(300)),
    )
    response = api_as(county_admin).post(f"/api/v1/objective-plans/{training.plan.pk}/publish/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["“开展巾帼技能培训”（测试县）：分解后权重合计为 6.00，不等于 10.00。"]
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target": "0"}, "target", "目标值必须大于零"),
        ({"target": "很多"}, "target", "请填写合法的数字"),
        ({"due_date": "2027-03-01"}, "due_date", "考核周期结束日"),
        ({"weight": "-1"}, "weight", "0.01"),
    ],
)
def test_bad_objectives_get_a_message_on_the_field(
    api_as, plan, county, county_admin, overrides, field, message
):
    payload = objective_payload(plan.pk, county.county, **overrides)
    response = api_as(county_admin).post("/api/v1/objectives/", payload)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Objective.objects.exists()


@pytest.fixture
def published_leaf(split_training, county_admin):
    part_a, _ = split_training
    services.publish_plan(county_admin, part_a.plan)
    part_a.refresh_from_db()
    return part_a


def test_report_with_evidence_and_review(
    api_as, published_leaf, township_a_staff, county_admin, village_a1_rep
):
    api = api_as(township_a_staff)
    response = api.post(
        "/api/v1/progress-reports/",
        {
            "objective": published_leaf.pk,
            "cycle_end": "2026-12-31",
            "value": "90",
            "narrative": "培训三期",
            "files": [SimpleUploadedFile("签到.pdf", PDF)],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["evidence"][0]["original_name"] == "签到.pdf"

    admin = api_as(county_admin)
    returned = admin.post(f"/api/v1/progress-reports/{report['id']}/return/", {"comment": "补照片"})
    assert returned.json()["status"] == "returned"
    again = api_as(township_a_staff).post(
        f"/api/v1/progress-reports/{report['id']}/submit/", {"value": "95", "narrative": "已补"}
    )
    assert again.json()["status"] == "submitted"
    approved = api_as(county_admin).post(f"/api/v1/progress-reports/{report['id']}/approve/")
    assert approved.json()["status"] == "approved"

    evidence_url = report["evidence"][0]["download_url"]
    assert api_as(township_a_staff).get(evidence_url).status_code == 200
    assert api_as(village_a1_rep).get(evidence_url).status_code == 404


def test_executable_evidence_is_refused(api_as, published_leaf, township_a_staff):
    response = api_as(township_a_staff).post(
        "/api/v1/progress-reports/",
        {
            "objective": published_leaf.pk,
            "cycle_end": "2026-12-31",
            "value": "90",
            "narrative": "x",
            "files": [SimpleUploadedFile("签到.pdf", ELF)],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "不是允许的文件类型" in str(response.json())
    assert not ProgressReport.objects.exists()


def test_report_on_someone_elses_objective_is_refused(api_as, published_leaf, village_b1_rep):
    response = api_as(village_b1_rep).post(
        "/api/v1/progress-reports/",
        {"objective": published_leaf.pk, "cycle_end": "2026-12-31", "value": "1", "narrative": "x"},
    )
    assert response.status_code in (400, 403)
    assert not ProgressReport.objects.exists()


def test_sibling_village_cannot_see_objectives_or_reports(
    api_as, published_leaf, county, township_a_staff, village_a1_rep, village_b1_rep
):
    village_part = services.add_objective(
        township_a_staff,
        published_leaf.plan,
        parent=published_leaf,
        **quantitative(assignee_unit=county.village_a1, weight=Decimal(6), target=Decimal(180)),
    )
    services.publish_decomposition(township_a_staff, published_leaf)
    api = api_as(village_b1_rep)
    assert api.get("/api/v1/objectives/").json()["count"] == 0
    assert api.get(f"/api/v1/objectives/{village_part.pk}/").status_code == 404
    own = api_as(village_a1_rep).get("/api/v1/objectives/").json()
    assert [row["id"] for row in own["results"]] == [village_part.pk]


def test_scores_and_rewards_through_the_api(
    api_as, published_leaf, township_a_staff, county_admin, leader
):
    report = services.submit_report(
        township_a_staff,
        published_leaf,
        cycle_end=date(2026, 12, 31),
        value=Decimal(200),
        narrative="超额完成",
    )
    services.approve_report(county_admin, report)
    services.score_plan(published_leaf.plan)
    scores = api_as(leader).get("/api/v1/scores/", {"plan": published_leaf.plan.pk}).json()
    township = next(row for row in scores["results"] if row["level"] == "township")
    # 6 × min(200/180, 1.2) = 6.67 points (stored to the cent), over 6 assigned, × 100
    assert township["score"] == "111.17"
    # A unit row has no person: null, not the repr of None.__str__.
    assert township["person_name"] is None
    assert all(
        row["person_name"] is None or "method-wrapper" not in row["person_name"]
        for row in scores["results"]
    )
    detail = api_as(leader).get(f"/api/v1/scores/{township['id']}/").json()
    assert [line["title"] for line in detail["objectives"]] == ["开展巾帼技能培训"]

    closed = api_as(county_admin).post(
        f"/api/v1/objective-plans/{published_leaf.plan.pk}/close-period/"
    )
    assert closed.json()["status"] == "closed"
    reward = Reward.objects.get()
    assert api_as(leader).post(f"/api/v1/rewards/{reward.pk}/confirm/").status_code == 403
    assert api_as(county_admin).post(f"/api/v1/rewards/{reward.pk}/confirm/").status_code == 200
    assert api_as(leader).post(f"/api/v1/rewards/{reward.pk}/approve/").status_code == 200
    published = api_as(county_admin).post(f"/api/v1/rewards/{reward.pk}/publish/")
    assert published.json()["status"] == "published"


def test_leader_cannot_write_objectives(api_as, plan, county, leader):
    response = api_as(leader).post("/api/v1/objectives/", objective_payload(plan.pk, county.county))
    assert response.status_code == 403
