from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.core.deadlines import (
    Light,
    Reason,
    Rule,
    Status,
    add_working_days,
    assess,
    clear_calendar_cache,
    deadline_after,
    due_after,
    expected_pace,
    is_working_day,
    rule,
    traffic_light,
    working_days_between,
)
from apps.core.models import DeadlineRule, SpecialDay

START, DUE = date(2026, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "completion", "done", "light"),
    [
        (date(2026, 7, 2), Decimal("0.50"), False, Light.GREEN),  # on pace
        (date(2026, 7, 2), Decimal("0.35"), False, Light.YELLOW),  # 15 points behind
        (date(2026, 7, 2), Decimal("0.20"), False, Light.RED),  # 30 points behind
        (date(2026, 12, 30), Decimal("1.00"), False, Light.YELLOW),  # due in a day
        (date(2027, 1, 1), Decimal("0.99"), False, Light.RED),  # past due
        (date(2027, 1, 1), Decimal("0.20"), True, Light.GREEN),  # done is done
    ],
)
def test_traffic_light(today, completion, done, light):
    assert traffic_light(DUE, today, start=START, completion=completion, done=done) == light


def test_without_progress_only_the_date_counts():
    assert traffic_light(date(2026, 5, 10), date(2026, 5, 1)) == Light.GREEN
    assert traffic_light(date(2026, 5, 3), date(2026, 5, 1)) == Light.YELLOW
    assert traffic_light(date(2026, 4, 30), date(2026, 5, 1)) == Light.RED


def test_expected_pace_is_bounded():
    assert expected_pace(START, DUE, date(2025, 12, 1)) == 0
    assert expected_pace(START, DUE, date(2027, 2, 1)) == 1


# --- the engine's answer carries the reason -----------------------------------------------------


def test_assess_says_why():
    assert assess(DUE, date(2027, 1, 1)).reason == Reason.OVERDUE
    assert assess(DUE, date(2026, 12, 31)) == Status(Light.YELLOW, Reason.DUE_SOON, DUE)
    assert assess(DUE, date(2026, 7, 2), start=START, completion=Decimal("0.2")).reason == (
        Reason.BEHIND
    )
    assert assess(DUE, date(2026, 7, 2)).reason == Reason.ON_TRACK
    assert assess(DUE, date(2027, 1, 1), done=True).reason == Reason.DONE


def test_pace_is_measured_at_the_last_reportable_cycle():
    """In late November with only the third quarter reportable, 70 % done is on pace."""
    status = assess(
        DUE,
        date(2026, 11, 27),
        start=START,
        completion=Decimal("0.70"),
        pace_until=date(2026, 9, 30),
    )
    assert status == Status(Light.GREEN, Reason.ON_TRACK, DUE)
    # Judged at today's date instead, the same work would be red.
    assert traffic_light(DUE, date(2026, 11, 27), start=START, completion=Decimal("0.70")) == (
        Light.YELLOW
    )


# --- working days -------------------------------------------------------------------------------

pytestmark_db = pytest.mark.usefixtures("holiday_calendar")


@pytestmark_db
def test_a_tiaoxiu_sunday_is_a_working_day():
    """2026: the Sunday before National Day (20 September) is worked."""
    assert is_working_day(date(2026, 9, 20))
    assert not is_working_day(date(2026, 9, 19))
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)
    assert add_working_days(date(2026, 9, 18), 2) == date(2026, 9, 21)


@pytestmark_db
def test_working_days_skip_the_national_day_holiday():
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # a 调休 Saturday
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


@pytestmark_db
def test_a_deadline_on_a_holiday_moves_to_the_next_working_day():
    assert due_after(date(2026, 9, 28), 3) == date(2026, 10, 8)
    assert due_after(date(2026, 11, 25), 3) == date(2026, 11, 30)  # a Saturday → Monday
    assert due_after(date(2026, 11, 23), 3) == date(2026, 11, 26)  # a Thursday stays


@pytestmark_db
def test_days_an_admin_adds_take_effect_at_once(admin_client):
    """Next year's holidays are entered in the admin before the package knows them."""
    assert add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 8)
    response = admin_client.post(
        "/admin/core/specialday/add/",
        {"date": "2027-02-08", "is_working_day": "", "name": "春节"},
    )
    assert response.status_code == 302
    assert add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 9)
    SpecialDay.objects.create(date=date(2027, 2, 6), is_working_day=True, name="春节调休")
    assert add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 6)


@pytestmark_db
def test_the_calendar_is_read_once_per_year(django_assert_num_queries):
    clear_calendar_cache()
    with django_assert_num_queries(1):
        add_working_days(date(2026, 9, 1), 40)


@pytestmark_db
def test_rules_come_from_the_admin_table_in_calendar_or_working_days():
    DeadlineRule.objects.update_or_create(
        kind="case", state="open", defaults={"days": 1, "working_days": True}
    )
    assert rule("case", "open") == Rule(days=1, working_days=True)
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert deadline_after(friday, "case", "open") == friday + timedelta(days=3)  # Monday
    assert deadline_after(friday, "nothing", "", Rule(hours=24)) == friday + timedelta(hours=24)
