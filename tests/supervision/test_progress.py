"""Recurring progress feedback on frozen time (Monday 2026-11-23): each period is a due date of
its own, with its light, its line in the lead unit's to-do list and its daily reminder; a
period is met when the lead unit feeds back progress for it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from apps.core import todo
from apps.notifications.models import Notification
from apps.supervision import services
from apps.supervision.models import ItemFeedback, ItemLog, ProgressDue
from tests.supervision.conftest import assign, at

LONG = {"deadline": date(2027, 3, 31), "progress_cycle": "monthly", "progress_day": 25}


def dues(item):
    return list(ProgressDue.objects.filter(item=item).values_list("due", flat=True))


def refused(field, step, *args, **kwargs):
    before = (
        ItemLog.objects.count(),
        ItemFeedback.objects.count(),
        list(ProgressDue.objects.values_list("due", "fed_back_at")),
    )
    with pytest.raises(ValidationError) as error:
        step(*args, **kwargs)
    after = (
        ItemLog.objects.count(),
        ItemFeedback.objects.count(),
        list(ProgressDue.objects.values_list("due", "fed_back_at")),
    )
    assert after == before
    assert field in error.value.message_dict
    return error.value


@pytest.mark.parametrize(
    ("cycle", "start", "end", "expected"),
    [
        # The first period falls at least a week after assignment: not 2026-11-25.
        (
            "monthly",
            date(2026, 11, 20),
            date(2027, 3, 31),
            [date(2026, 12, 25), date(2027, 1, 25), date(2027, 2, 25), date(2027, 3, 25)],
        ),
        (
            "quarterly",
            date(2026, 11, 20),
            date(2027, 6, 25),
            [date(2026, 12, 25), date(2027, 3, 25)],
        ),
        (
            "half_yearly",
            date(2026, 11, 20),
            date(2027, 12, 31),
            [date(2026, 12, 25), date(2027, 6, 25), date(2027, 12, 25)],
        ),
        ("", date(2026, 11, 20), date(2027, 12, 31), []),
    ],
)
def test_periods_by_cycle(cycle, start, end, expected):
    assert services.progress_dates(cycle, 25, start, end) == expected


def test_a_period_is_fed_back_met_late_or_missed(
    clock, county, county_admin, dept_liaison, township_a_staff
):
    item = assign(county_admin, county, **LONG)
    assert dues(item) == [
        date(2026, 12, 25),
        date(2027, 1, 25),
        date(2027, 2, 25),
        date(2027, 3, 25),
    ]
    # Not before 签收, not by the cooperating unit, not for a period not yet open or not asked.
    refused("text", services.feed_back_progress, dept_liaison, item, text="进展")
    services.accept_item(dept_liaison, item)
    refused("unit", services.feed_back_progress, township_a_staff, item, text="进展")
    refused("text", services.feed_back_progress, dept_liaison, item, text="  ")
    error = refused(
        "period",
        services.feed_back_progress,
        dept_liaison,
        item,
        text="进展",
        period=date(2027, 1, 25),
    )
    assert "2026-12-26" in error.message_dict["period"][0]
    refused(
        "period",
        services.feed_back_progress,
        dept_liaison,
        item,
        text="进展",
        period=date(2027, 1, 20),
    )
    # The first period is open from assignment: fed back early, it is met.
    services.feed_back_progress(dept_liaison, item, text="已完成摸底")
    first = ProgressDue.objects.get(item=item, due=date(2026, 12, 25))
    assert first.fed_back_at == at(2026, 11, 23, 10, 0) and not first.late
    assert ItemLog.objects.filter(item=item, action="progress").count() == 1
    assert Notification.objects.filter(
        recipient=county_admin, key__startswith="supervision-progress"
    ).exists()
    # The second period is missed: red in the to-do list and urged once a day.
    clock.move_to(at(2027, 1, 26, 9, 0))
    second = ProgressDue.objects.get(item=item, due=date(2027, 1, 25))
    assert services.progress_status(second).light == "red"
    lines = [line for line in todo.todo_for(dept_liaison) if line.kind == "supervision-progress"]
    # Missed and due within a month: the one after, due 2027-02-25, is on the list, green.
    third = ProgressDue.objects.get(item=item, due=date(2027, 2, 25))
    assert [(line.id, line.light) for line in lines] == [(second.pk, "red"), (third.pk, "green")]
    assert services.send_progress_reminders(county.department) == 1
    assert services.send_progress_reminders(county.department) == 0
    # Fed back a day later it is met, but late (逾期 in the reports).
    clock.move_to(at(2027, 1, 27, 9, 0))
    services.feed_back_progress(dept_liaison, item, text="第二期进展")
    second.refresh_from_db()
    assert second.fed_back_at and second.late
    assert not [
        line
        for line in todo.todo_for(dept_liaison)
        if line.kind == "supervision-progress" and line.light != "green"
    ]


def test_extension_adds_periods_and_final_feedback_ends_them(
    clock, county, county_admin, dept_liaison
):
    item = assign(county_admin, county, **LONG)
    services.accept_item(dept_liaison, item)
    services.request_change(
        dept_liaison, item, kind="extension", new_deadline=date(2027, 5, 31), reason="协调中"
    )
    services.approve_request(county_admin, item)
    assert dues(item)[-2:] == [date(2027, 4, 25), date(2027, 5, 25)]
    # The item's own feedback answers for the periods not yet due; returned, they come back.
    services.feed_back(dept_liaison, item, text="全部完成")
    assert dues(item) == []
    services.return_item(county_admin, item, reason="补充材料")
    assert len(dues(item)) == 6


def test_items_without_a_cycle_ask_for_none(clock, item, dept_liaison):
    services.accept_item(dept_liaison, item)
    assert dues(item) == []
    refused("period", services.feed_back_progress, dept_liaison, item, text="进展")


def test_progress_through_the_api(clock, county, county_admin, dept_liaison, api_as):
    item = assign(county_admin, county, **LONG)
    services.accept_item(dept_liaison, item)
    url = f"/api/v1/supervision-items/{item.pk}/progress/"
    response = api_as(dept_liaison).post(url, {"text": "进展", "period": "2027-02-25"})
    assert response.status_code == 400 and "period" in response.json()
    response = api_as(dept_liaison).post(url, {"text": "进展"})
    assert response.status_code == 200
    body = response.json()
    assert body["progress_cycle"] == "monthly"
    assert body["progress"][0]["due"] == "2026-12-25" and body["progress"][0]["fed_back_at"]
    assert api_as(county_admin).post(url, {"text": "进展"}).status_code == 403


def test_assigning_with_a_cycle_through_the_api(clock, county, county_admin, api_as):
    body = {
        "title": "妇女之家阵地提升",
        "description": "按季度反馈。",
        "source": "superior",
        "lead_unit": county.department.pk,
        "deadline": "2027-06-30",
        "progress_cycle": "quarterly",
        "progress_day": 31,
    }
    response = api_as(county_admin).post("/api/v1/supervision-items/", body)
    assert response.status_code == 400 and "progress_day" in response.json()
    response = api_as(county_admin).post("/api/v1/supervision-items/", body | {"progress_day": 20})
    assert response.status_code == 201, response.json()
    assert [row["due"] for row in response.json()["progress"]] == [
        "2026-12-20",
        "2027-03-20",
        "2027-06-20",
    ]
