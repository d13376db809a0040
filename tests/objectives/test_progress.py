"""组织实施: reports on leaves, evidence checked by content, review, roll-up and the light."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.deadlines import Light
from apps.notifications.models import Notification
from apps.objectives import services
from apps.objectives.models import Evidence, ProgressReport
from tests.objectives.conftest import quantitative

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


@pytest.fixture
def village_parts(split_training, county, county_admin, township_a_staff):
    """Township A's share, published and split between its two villages (3 + 3 points)."""
    part_a, _ = split_training
    services.publish_plan(county_admin, part_a.plan)
    parts = [
        services.add_objective(
            township_a_staff,
            part_a.plan,
            parent=part_a,
            **quantitative(assignee_unit=village, weight=Decimal(3), target=Decimal(target)),
        )
        for village, target in ((county.village_a1, 100), (county.village_a2, 80))
    ]
    services.publish_decomposition(township_a_staff, part_a)
    return parts


def test_cycles_are_quarters_up_to_the_due_date(village_parts):
    assert services.cycle_ends(village_parts[0]) == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
    ]


def test_village_reports_with_evidence(village_parts, village_a1_rep):
    report = services.submit_report(
        village_a1_rep,
        village_parts[0],
        cycle_end=date(2026, 3, 31),
        value=Decimal(40),
        narrative="举办两期培训",
        files=[SimpleUploadedFile("培训签到表.pdf", PDF)],
    )
    assert report.completion == Decimal("0.4000")
    evidence = Evidence.objects.get(report=report)
    assert (evidence.content_type, evidence.original_name) == ("application/pdf", "培训签到表.pdf")


def test_executable_renamed_pdf_is_refused_and_nothing_is_written(village_parts, village_a1_rep):
    with pytest.raises(ValidationError, match="不是允许的文件类型"):
        services.submit_report(
            village_a1_rep,
            village_parts[0],
            cycle_end=date(2026, 3, 31),
            value=Decimal(40),
            narrative="x",
            files=[SimpleUploadedFile("签到表.pdf", ELF)],
        )
    assert not ProgressReport.objects.exists()


def test_report_on_someone_elses_objective_is_refused(village_parts, village_b1_rep):
    with pytest.raises(PermissionDenied):
        services.submit_report(
            village_b1_rep,
            village_parts[0],
            cycle_end=date(2026, 3, 31),
            value=Decimal(1),
            narrative="x",
        )


def test_parent_with_parts_takes_no_report(village_parts, township_a_staff):
    with pytest.raises(ValidationError, match="已分解"):
        services.submit_report(
            township_a_staff,
            village_parts[0].parent,
            cycle_end=date(2026, 3, 31),
            value=Decimal(1),
            narrative="x",
        )


def test_wrong_cycle_and_negative_value_are_refused(village_parts, village_a1_rep):
    with pytest.raises(ValidationError, match="报送周期"):
        services.submit_report(
            village_a1_rep,
            village_parts[0],
            cycle_end=date(2026, 3, 15),
            value=Decimal(1),
            narrative="x",
        )
    with pytest.raises(ValidationError, match="负数"):
        services.submit_report(
            village_a1_rep,
            village_parts[0],
            cycle_end=date(2026, 3, 31),
            value=Decimal(-1),
            narrative="x",
        )


def test_late_report_is_marked(village_parts, village_a1_rep, settings):
    report = services.submit_report(
        village_a1_rep,
        village_parts[0],
        cycle_end=date(2026, 3, 31),
        value=Decimal(1),
        narrative="补报",
    )
    assert report.is_late  # filed long after 5 April


def test_approval_rolls_up_the_tree(village_parts, village_a1_rep, township_a_staff):
    report = services.submit_report(
        village_a1_rep,
        village_parts[0],
        cycle_end=date(2026, 6, 30),
        value=Decimal(50),
        narrative="半年完成一半",
    )
    services.approve_report(township_a_staff, report)
    leaf, township_part = village_parts[0], village_parts[0].parent
    leaf.refresh_from_db()
    township_part.refresh_from_db()
    county_objective = township_part.parent
    county_objective.refresh_from_db()
    assert leaf.completion == Decimal("0.5000")
    assert township_part.completion == Decimal("0.2500")  # (3×0.5 + 3×0) / 6
    assert county_objective.completion == Decimal("0.1500")  # (6×0.25 + 4×0) / 10


def test_village_cannot_approve_and_other_township_cannot_either(
    village_parts, village_a1_rep, county, django_user_model
):
    from apps.core.roles import Role
    from tests.conftest import make_user

    report = services.submit_report(
        village_a1_rep,
        village_parts[0],
        cycle_end=date(2026, 6, 30),
        value=Decimal(50),
        narrative="x",
    )
    other_township = make_user("b_staff", Role.TOWNSHIP_STAFF, county.township_b)
    for user in (village_a1_rep, other_township):
        with pytest.raises(PermissionDenied):
            services.approve_report(user, report)


def test_returned_report_is_refiled(village_parts, village_a1_rep, township_a_staff):
    report = services.submit_report(
        village_a1_rep,
        village_parts[0],
        cycle_end=date(2026, 6, 30),
        value=Decimal(50),
        narrative="x",
    )
    with pytest.raises(ValidationError, match="修改"):
        services.return_report(township_a_staff, report, comment="")
    services.return_report(township_a_staff, report, comment="请补充签到表")
    assert Notification.objects.filter(recipient=village_a1_rep, title__contains="退回").exists()
    refiled = services.submit_report(
        village_a1_rep,
        village_parts[0],
        cycle_end=date(2026, 6, 30),
        value=Decimal(55),
        narrative="已补充",
    )
    assert refiled.pk == report.pk
    assert refiled.status == ProgressReport.Status.SUBMITTED


def test_lower_is_better_and_milestones(plan, county, county_admin):
    incidents = services.add_objective(
        county_admin,
        plan,
        **quantitative(assignee_unit=county.county, direction="lower", target=Decimal(60)),
    )
    assert services.completion_of(incidents, Decimal(80)) == Decimal("0.7500")
    assert services.completion_of(incidents, Decimal(0)) == plan.completion_cap
    milestone = services.add_objective(
        county_admin,
        plan,
        **quantitative(
            assignee_unit=county.county,
            kind="milestone",
            target=None,
            measure_unit="",
            rubric=[{"label": "未启动", "completion": 0}, {"label": "完成", "completion": 1}],
        ),
    )
    assert services.completion_of(milestone, rubric_level="完成") == 1
    with pytest.raises(ValidationError, match="评分标准"):
        services.completion_of(milestone, rubric_level="差不多")


def test_light_follows_the_pace(village_parts):
    """Pace is measured at the last cycle whose report was due: by 15 July the second quarter
    (half the year) was reportable, on 1 July only the first."""
    leaf = village_parts[0]
    leaf.completion = Decimal("0.2")
    assert services.light_of(leaf, today=date(2026, 7, 15)) == Light.RED
    assert services.status_of(leaf, today=date(2026, 7, 15)).reason == "behind"
    assert services.light_of(leaf, today=date(2026, 7, 1)) == Light.GREEN
    leaf.completion = Decimal("0.45")
    assert services.light_of(leaf, today=date(2026, 7, 15)) == Light.GREEN
