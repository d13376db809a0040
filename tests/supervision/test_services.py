"""Every transition of a supervised item, on frozen time, and every refusal: a clear message
on the field at fault, and nothing written."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.deadlines import clear_calendar_cache
from apps.core.models import DeadlineRule
from apps.supervision import services
from apps.supervision.deadlines import ITEMS
from apps.supervision.models import ItemFeedback, ItemLog, ItemRequest, Slip, SupervisionItem
from tests.supervision.conftest import assign, at


def actions(item):
    return list(ItemLog.objects.filter(item=item).values_list("action", flat=True))


def refused(field, step, *args, **kwargs):
    """Run ``step``; it must refuse on ``field`` and write nothing at all."""
    before = (
        ItemLog.objects.count(),
        ItemFeedback.objects.count(),
        ItemRequest.objects.count(),
        Slip.objects.count(),
        list(SupervisionItem.objects.values_list("state", "deadline", "slip")),
    )
    with pytest.raises(ValidationError) as error:
        step(*args, **kwargs)
    after = (
        ItemLog.objects.count(),
        ItemFeedback.objects.count(),
        ItemRequest.objects.count(),
        Slip.objects.count(),
        list(SupervisionItem.objects.values_list("state", "deadline", "slip")),
    )
    assert after == before
    messages = error.value.message_dict if hasattr(error.value, "error_dict") else {}
    assert field in messages if field else True
    return error.value


def test_the_whole_life_of_an_item(clock, item, county_admin, dept_liaison, township_a_staff):
    assert item.state == "assigned"
    # 签收 within 1 working day: Monday 10:00 → Tuesday 10:00.
    assert item.accept_due == at(2026, 11, 24, 10, 0)
    assert ITEMS.status_of(item).light == "green"
    # The cooperating township cannot sign for it; the lead department can.
    refused("unit", services.accept_item, township_a_staff, item)
    clock.move_to(at(2026, 11, 23, 15, 0))
    item = services.accept_item(dept_liaison, item)
    assert (item.state, item.accepted_at) == ("in_progress", at(2026, 11, 23, 15, 0))
    assert services.accept_item(dept_liaison, item).accepted_at == item.accepted_at  # retry
    # The township feeds back to the lead unit; the item stays with the department.
    item = services.feed_back(township_a_staff, item, text="甲镇已摸底 120 人")
    assert item.state == "in_progress"
    refused("evaluation", services.close_item, county_admin, item, evaluation="satisfied")
    item = services.feed_back(dept_liaison, item, text="全县已建立台账")
    assert item.state == "feedback" and ITEMS.status_of(item).reason == "done"
    refused("reason", services.return_item, county_admin, item, reason="  ")
    item = services.return_item(county_admin, item, reason="缺少佐证材料")
    assert (item.state, item.return_count) == ("in_progress", 1)
    item = services.feed_back(dept_liaison, item, text="已补充照片和名册")
    refused("evaluation", services.close_item, county_admin, item, evaluation="")
    item = services.close_item(county_admin, item, evaluation="satisfied")
    assert (item.state, item.evaluation) == ("closed", "satisfied")
    assert actions(item) == [
        "assign",
        "accept",
        "cooperation",
        "feedback",
        "return",
        "feedback",
        "close",
    ]
    assert ItemLog.objects.filter(item=item, action="accept").get().actor == dept_liaison


def test_only_the_supervisor_closes_returns_urges_and_issues_slips(
    item, dept_liaison, county_admin
):
    services.accept_item(dept_liaison, item)
    services.feed_back(dept_liaison, item, text="已完成")
    for step, kwargs in [
        (services.close_item, {"evaluation": "satisfied"}),
        (services.return_item, {"reason": "补充"}),
        (services.urge_item, {"text": "快"}),
        (services.issue_slip, {"colour": "red"}),
    ]:
        with pytest.raises(PermissionDenied):
            step(dept_liaison, item, **kwargs)


def test_feedback_by_a_unit_neither_lead_nor_cooperating_is_refused(item, township_b_staff):
    refused("unit", services.feed_back, township_b_staff, item, text="乙镇的反馈")


def test_the_lead_unit_accepts_before_feeding_back(item, dept_liaison):
    refused("text", services.feed_back, dept_liaison, item, text="已完成")
    services.accept_item(dept_liaison, item)
    refused("text", services.feed_back, dept_liaison, item, text="  ")


def test_accepting_late_is_kept_in_the_log_and_the_light_is_red(clock, item, dept_liaison):
    clock.move_to(at(2026, 11, 24, 10, 1))
    status = ITEMS.status_of(item)
    assert (status.light, status.reason) == ("red", "overdue")
    item = services.accept_item(dept_liaison, item)
    assert item.accept_missed
    assert "2026-11-24 10:00" in ItemLog.objects.get(item=item, action="accept").text
    assert ITEMS.status_of(item).light == "green"


def test_an_item_needs_a_lead_unit_and_a_unit_of_the_right_kind(clock, county, county_admin):
    refused("lead_unit", assign, county_admin, county, lead_unit=None)
    refused("lead_unit", assign, county_admin, county, lead_unit=county.village_a1)
    refused(
        "cooperating_units", assign, county_admin, county, cooperating_units=[county.department]
    )
    refused("deadline", assign, county_admin, county, deadline=date(2026, 11, 20))
    assert not SupervisionItem.objects.exists()


@pytest.mark.parametrize(
    ("source", "priority", "deadline"),
    [
        ("meeting", "normal", date(2026, 12, 14)),  # 会议纪要: 20 days (Sunday 13th → Monday)
        ("government", "normal", date(2026, 12, 23)),  # 公文: 30 days
        ("superior", "normal", date(2026, 12, 8)),  # 15 days
        ("superior", "urgent", date(2026, 11, 30)),  # 批示, urgent: 5 working days
    ],
)
def test_the_deadline_defaults_by_source_and_priority(
    clock, county, county_admin, source, priority, deadline
):
    item = assign(county_admin, county, source=source, priority=priority, deadline=None)
    assert (item.deadline, item.original_deadline) == (deadline, deadline)


def test_the_defaults_are_data_and_a_zero_rule_asks_for_a_date(clock, county, county_admin):
    # Stored as the data migration stores it (a transactional test elsewhere may have emptied
    # the table), then changed as an admin would.
    DeadlineRule.objects.update_or_create(
        kind="supervision-item", state="complete-petition-normal", defaults={"days": 10}
    )
    item = assign(county_admin, county, source="petition", deadline=None)
    assert item.deadline == date(2026, 12, 3)
    DeadlineRule.objects.filter(kind="supervision-item", state="complete-petition-normal").update(
        days=0
    )
    clear_calendar_cache()  # an admin's save does this through the model's signal
    refused("deadline", assign, county_admin, county, source="petition", deadline=None)


def test_working_days_skip_the_holiday_and_count_its_adjusted_sunday(
    clock, county, county_admin, dept_liaison
):
    # Friday 18 September 2026: the next working day is Sunday the 20th (调休 for 国庆).
    clock.move_to(at(2026, 9, 18, 9, 0))
    item = assign(county_admin, county, deadline=date(2026, 10, 30))
    assert item.accept_due == at(2026, 9, 20, 9, 0)
    clock.move_to(at(2026, 9, 20, 9, 1))
    assert ITEMS.status_of(item).light == "red"  # 领办逾期 on the working Sunday
    # Thursday 24 September, urgent: 5 working days skip 中秋 (25th), the weekend and 国庆
    # (1–7 October): 28, 29, 30 September, 8 and 9 October.
    clock.move_to(at(2026, 9, 24, 9, 0))
    urgent = assign(county_admin, county, priority="urgent", deadline=None)
    assert urgent.deadline == date(2026, 10, 9)
    assert urgent.accept_due == at(2026, 9, 28, 9, 0)


def test_an_extension_moves_the_deadline_and_the_old_one_no_longer_counts(
    clock, item, dept_liaison, county_admin
):
    services.accept_item(dept_liaison, item)
    refused(
        "new_deadline",
        services.request_change,
        dept_liaison,
        item,
        kind="extension",
        new_deadline=date(2026, 12, 10),
        reason="需协调",
    )
    refused(
        "reason",
        services.request_change,
        dept_liaison,
        item,
        kind="extension",
        new_deadline=date(2027, 1, 15),
        reason="",
    )
    services.request_change(
        dept_liaison, item, kind="extension", new_deadline=date(2027, 1, 15), reason="需协调"
    )
    refused("kind", services.request_change, dept_liaison, item, kind="suspension", reason="再申请")
    item = services.approve_request(county_admin, item)
    assert (item.deadline, item.original_deadline) == (date(2027, 1, 15), date(2026, 12, 18))
    clock.move_to(at(2026, 12, 21, 10, 0))
    assert ITEMS.status_of(SupervisionItem.objects.get()).light == "green"
    assert actions(item)[-2:] == ["request", "approve_request"]


def test_requests_are_made_before_the_deadline(clock, item, dept_liaison, township_a_staff):
    services.accept_item(dept_liaison, item)
    refused("unit", services.request_change, township_a_staff, item, kind="suspension", reason="x")
    clock.move_to(at(2026, 12, 19, 9, 0))
    refused(
        "kind",
        services.request_change,
        dept_liaison,
        item,
        kind="extension",
        new_deadline=date(2027, 1, 15),
        reason="来不及",
    )


@pytest.mark.parametrize(
    ("kind", "state"), [("suspension", "suspended"), ("stage_completion", "stage_completed")]
)
def test_suspension_and_stage_completion_end_the_item_when_approved(
    item, dept_liaison, county_admin, kind, state
):
    services.accept_item(dept_liaison, item)
    services.request_change(dept_liaison, item, kind=kind, reason="政策调整")
    item = services.approve_request(county_admin, item)
    assert item.state == state and not item.is_open
    assert ITEMS.status_of(item).reason == "done"


def test_a_returned_request_changes_nothing_but_says_why(item, dept_liaison, county_admin):
    services.accept_item(dept_liaison, item)
    services.request_change(dept_liaison, item, kind="suspension", reason="政策调整")
    refused("reason", services.return_request, county_admin, item, reason="")
    item = services.return_request(county_admin, item, reason="理由不充分")
    request = ItemRequest.objects.get()
    assert (request.state, request.return_reason) == ("returned", "理由不充分")
    assert item.state == "in_progress"
    refused(None, services.approve_request, county_admin, item)


def test_urging_by_hand_is_logged_and_told_to_the_lead_unit(item, county_admin, dept_liaison):
    services.urge_item(county_admin, item, text="请加快进度")
    entry = ItemLog.objects.get(item=item, action="urge")
    assert (entry.actor, entry.automatic, entry.text) == (county_admin, False, "请加快进度")
    assert dept_liaison.notifications.filter(title__contains=item.title).count() == 2


def test_a_supervisor_issues_a_slip_above_the_current_level(item, county_admin):
    services.issue_slip(county_admin, item, colour="yellow", reason="进度滞后")
    refused("colour", services.issue_slip, county_admin, item, colour="blue")
    refused("colour", services.issue_slip, county_admin, item, colour="yellow")
    services.issue_slip(county_admin, item, colour="red")
    item.refresh_from_db()
    assert item.slip == "red"
    assert list(Slip.objects.values_list("colour", "unit", "issued_by")) == [
        ("yellow", item.lead_unit_id, county_admin.pk),
        ("red", item.lead_unit_id, county_admin.pk),
    ]


def test_the_hourly_run_urges_once_a_day_and_escalates_slips(clock, item, dept_liaison, county):
    run = lambda: services.send_unit_reminders(county.department)  # noqa: E731
    services.accept_item(dept_liaison, item)
    assert run() == 0 and not Slip.objects.exists()  # green: nothing to say
    # Tuesday 15 December: due on Friday the 18th → yellow, a blue slip.
    clock.move_to(at(2026, 12, 15, 9, 0))
    assert run() == 1  # the urge, to the liaison (the slip is a notification of its own)
    assert run() == 0  # the same day: nothing new
    item.refresh_from_db()
    assert item.slip == "blue"
    # Friday the 18th, the due day: still only the blue slip.
    clock.move_to(at(2026, 12, 18, 9, 0))
    run()
    item.refresh_from_db()
    assert item.slip == "blue"
    # Saturday the 19th: overdue, and the blue slip's working day (to Wednesday 16th) is gone.
    clock.move_to(at(2026, 12, 19, 9, 0))
    run()
    item.refresh_from_db()
    assert item.slip == "yellow"
    # Red three working days after the yellow one: Monday 21st, Tuesday, Wednesday 23rd 9:00.
    clock.move_to(at(2026, 12, 23, 8, 0))
    run()
    item.refresh_from_db()
    assert item.slip == "yellow"
    clock.move_to(at(2026, 12, 23, 9, 0))
    run()
    item.refresh_from_db()
    assert item.slip == "red"
    assert list(Slip.objects.values_list("colour", flat=True)) == ["blue", "yellow", "red"]
    assert all(slip.issued_by is None for slip in Slip.objects.all())
    urges = ItemLog.objects.filter(item=item, action="urge")
    assert all(entry.automatic and entry.actor is None for entry in urges)
    assert urges.count() == 4  # one a day the run found the item yellow or red: 15, 18, 19, 23


def test_the_run_stops_escalating_once_the_unit_fed_back(clock, item, dept_liaison, county):
    services.accept_item(dept_liaison, item)
    clock.move_to(at(2026, 12, 15, 9, 0))
    services.send_unit_reminders(county.department)
    services.feed_back(dept_liaison, item, text="已完成")
    clock.move_to(at(2026, 12, 28, 9, 0))
    assert services.send_unit_reminders(county.department) == 0
    item.refresh_from_db()
    assert item.slip == "blue"
    assert list(services.units_to_remind()) == []
