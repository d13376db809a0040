"""Inspections (督查) and their rectifications (整改) on frozen time: recording one with its
rectifications all or nothing, open → submitted → verified (销号) or sent back, every refusal
with a clear message and nothing written, lights, reminders, to-do lists and the counts the
monthly reports read."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core import todo
from apps.core.models import DeadlineRule
from apps.notifications.models import Notification
from apps.supervision import services, tasks
from apps.supervision.deadlines import RECTIFICATIONS
from apps.supervision.models import Inspection, InspectionAttachment, Rectification
from tests.supervision.conftest import at, inspect


def snapshot():
    return (
        Inspection.objects.count(),
        InspectionAttachment.objects.count(),
        list(
            Rectification.objects.order_by("pk").values_list(
                "state", "report", "comment", "return_count"
            )
        ),
    )


def refused(field, step, *args, **kwargs):
    """``step`` must refuse (on ``field`` when given) and write nothing."""
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        step(*args, **kwargs)
    assert snapshot() == before
    if field:
        assert field in error.value.message_dict, error.value
    return " ".join(error.value.messages)


def test_an_inspection_is_recorded_with_its_rectifications(inspection, rectifications, county):
    assert (inspection.unit, inspection.held_on, inspection.team) == (
        county.township_a,
        date(2026, 11, 20),
        "王芳、李静",
    )
    assert inspection.checklist == [{"item": "妇女之家台账", "finding": "活动记录缺失"}]
    township, department = rectifications
    assert (township.owner, township.deadline, township.state) == (
        county.township_a,
        date(2026, 11, 30),
        "open",
    )
    assert department.owner == county.department


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"unit": None}, "unit", "被督查单位"),
        ({"held_on": date(2026, 11, 24)}, "held_on", "不能晚于今天"),
        ({"held_on": None}, "held_on", "督查日期"),
        ({"team": " "}, "team", "督查组"),
        ({"findings": ""}, "findings", "督查发现"),
        ({"checklist": [{"finding": "缺"}]}, "checklist", "检查项目"),
        ({"checklist": "台账"}, "checklist", "检查清单"),
        (
            {"rectifications": [{"text": "整改", "deadline": date(2026, 12, 1)}]},
            "rectifications",
            "责任单位",
        ),
        ({"rectifications": [{"text": "整改", "owner": "A"}]}, "rectifications", "整改期限"),
        (
            {"rectifications": [{"text": "", "owner": "A", "deadline": date(2026, 12, 1)}]},
            "rectifications",
            "需要整改",
        ),
        (
            {"rectifications": [{"text": "整改", "owner": "A", "deadline": date(2026, 11, 19)}]},
            "rectifications",
            "不能早于督查日期",
        ),
        (
            {"rectifications": [{"text": "整改", "owner": "V", "deadline": date(2026, 12, 1)}]},
            "rectifications",
            "乡镇或部门",
        ),
    ],
)
def test_bad_inspections_are_refused_and_nothing_is_written(
    clock, county, county_admin, change, field, words
):
    owners = {"A": county.township_a, "V": county.village_a1}
    for row in change.get("rectifications", []):
        if "owner" in row:
            row["owner"] = owners[row["owner"]]
    with pytest.raises(ValidationError) as error:
        inspect(county_admin, county, **change)
    assert field in error.value.message_dict
    assert words in " ".join(error.value.messages)
    assert not Inspection.objects.exists() and not Rectification.objects.exists()


def test_one_bad_rectification_writes_nothing_of_the_inspection(clock, county, county_admin):
    rows = [
        {"text": "好的一条", "owner": county.township_a, "deadline": date(2026, 12, 1)},
        {"text": "缺期限", "owner": county.township_a, "deadline": None},
    ]
    with pytest.raises(ValidationError) as error:
        inspect(county_admin, county, rectifications=rows)
    assert "第2条整改" in error.value.messages[0]
    assert not Inspection.objects.exists() and not Rectification.objects.exists()


def test_only_county_staff_record_inspections_and_only_in_their_area(
    clock, county, leader, township_a_staff, county_admin
):
    for user in (leader, township_a_staff):
        with pytest.raises(PermissionDenied):
            inspect(user, county)
    with pytest.raises(ValidationError) as error:
        inspect(county_admin, county, unit=county.village_a1)
    assert "unit" in error.value.message_dict
    assert not Inspection.objects.exists()


def test_the_whole_life_of_a_rectification(
    clock, rectifications, county_admin, township_a_staff, dept_liaison
):
    township, _department = rectifications
    assert RECTIFICATIONS.status_of(township).light == "green"  # due in 7 days
    # Verifying before the owner has submitted is refused.
    assert "尚未报送" in refused(
        "comment", services.verify_rectification, county_admin, township, comment="核查"
    )
    # The wrong unit cannot submit; the owner must say what it did.
    refused("unit", services.submit_rectification, dept_liaison, township, text="已整改")
    refused("text", services.submit_rectification, township_a_staff, township, text=" ")
    clock.move_to(at(2026, 11, 27, 9, 0))
    assert RECTIFICATIONS.status_of(township).light == "yellow"  # 3 days left
    township = services.submit_rectification(township_a_staff, township, text="已补齐记录")
    assert (township.state, township.submitted_at) == ("submitted", at(2026, 11, 27, 9, 0))
    assert RECTIFICATIONS.status_of(township).light == "green"  # the county's turn
    refused(None, services.submit_rectification, township_a_staff, township, text="再交一次")
    # Sent back with a reason: open again.
    refused("reason", services.return_rectification, county_admin, township, reason="")
    township = services.return_rectification(county_admin, township, reason="缺照片")
    assert (township.state, township.return_count, township.return_reason) == ("open", 1, "缺照片")
    clock.move_to(at(2026, 12, 1, 9, 0))
    status = RECTIFICATIONS.status_of(township)
    assert (status.light, status.reason) == ("red", "overdue")
    township = services.submit_rectification(township_a_staff, township, text="已补照片")
    # Verification needs a comment from county staff over the owner unit.
    refused("comment", services.verify_rectification, county_admin, township, comment="")
    with pytest.raises(PermissionDenied):
        services.verify_rectification(township_a_staff, township, comment="自己销号")
    township = services.verify_rectification(county_admin, township, comment="现场核查属实")
    assert (township.state, township.verified_by, township.verified_at) == (
        "verified",
        county_admin,
        at(2026, 12, 1, 9, 0),
    )
    assert RECTIFICATIONS.status_of(township).reason == "done"
    # A retry answers with it as it is; a verified one cannot be sent back or submitted.
    assert services.verify_rectification(county_admin, township, comment="再次").comment == (
        "现场核查属实"
    )
    refused(None, services.return_rectification, county_admin, township, reason="再看看")
    refused(None, services.submit_rectification, township_a_staff, township, text="又做了")


def test_the_leader_cannot_verify(clock, rectifications, leader, township_a_staff):
    township, _department = rectifications
    services.submit_rectification(township_a_staff, township, text="已整改")
    with pytest.raises(PermissionDenied):
        services.verify_rectification(leader, township, comment="可以")
    assert Rectification.objects.get(pk=township.pk).state == "submitted"


def test_the_warning_days_come_from_the_deadline_rule(clock, rectifications):
    township, _department = rectifications
    DeadlineRule.objects.update_or_create(kind="rectification", state="warn", defaults={"days": 10})
    from apps.core.deadlines import clear_calendar_cache

    clear_calendar_cache()
    assert RECTIFICATIONS.status_of(township).light == "yellow"


def test_reminders_go_to_the_owner_once_a_day(
    clock, rectifications, county, township_a_staff, monkeypatch
):
    clock.move_to(at(2026, 12, 1, 9, 0))  # the township's is overdue, the department's green
    sent = []
    monkeypatch.setattr(tasks.send_unit_reminders, "delay", sent.append)
    tasks.send_reminders()
    assert sorted(sent) == sorted([county.township_a.pk, county.department.pk])
    assert tasks.send_unit_reminders(county.township_a.pk) == 1
    assert tasks.send_unit_reminders(county.township_a.pk) == 0
    assert tasks.send_unit_reminders(county.department.pk) == 0
    urges = Notification.objects.filter(key__startswith="rectification-urge")
    assert list(urges.values_list("recipient", flat=True)) == [township_a_staff.pk]
    clock.move_to(at(2026, 12, 2, 9, 0))
    assert tasks.send_unit_reminders(county.township_a.pk) == 1


def test_to_do_lists(clock, rectifications, county_admin, township_a_staff, dept_liaison):
    township, department = rectifications

    def kinds(user):
        return [
            (entry.kind, entry.id) for entry in todo.todo_for(user) if "rectification" in entry.kind
        ]

    assert kinds(township_a_staff) == [("rectification", township.pk)]
    assert kinds(dept_liaison) == [("rectification", department.pk)]
    assert kinds(county_admin) == []
    services.submit_rectification(township_a_staff, township, text="已整改")
    assert kinds(township_a_staff) == []
    assert kinds(county_admin) == [("rectification-verify", township.pk)]


def test_counts_for_the_reports(clock, rectifications, county, county_admin, township_a_staff):
    township, _department = rectifications
    units = [county.township_a, county.department, county.township_b]
    november = (date(2026, 11, 1), date(2026, 11, 30))
    december = (date(2026, 12, 1), date(2026, 12, 31))
    counts = services.rectification_counts(units, *november)
    assert counts[county.township_a.pk] == {"found": 1, "open": 1, "overdue": 0, "verified": 0}
    assert counts[county.township_b.pk] == {"found": 0, "open": 0, "overdue": 0, "verified": 0}
    clock.move_to(at(2026, 12, 3, 9, 0))
    services.submit_rectification(township_a_staff, township, text="已整改")
    services.verify_rectification(county_admin, township, comment="属实")
    counts = services.rectification_counts(units, *december)
    assert counts[county.township_a.pk] == {"found": 0, "open": 0, "overdue": 0, "verified": 1}
    assert counts[county.department.pk] == {"found": 0, "open": 1, "overdue": 0, "verified": 0}
    clock.move_to(at(2027, 1, 5, 9, 0))
    counts = services.rectification_counts(units, *december)
    assert counts[county.department.pk] == {"found": 0, "open": 1, "overdue": 1, "verified": 0}
    assert len(counts) == 3
