"""Hourly liaison reminders: once per event per day, and sensitive details never leak."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from apps.core.models import DeadlineRule
from apps.liaison import services
from apps.liaison.models import Contact
from apps.liaison.services.reminders import send_township_reminders
from apps.notifications.models import Notification

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def titles(user):
    return set(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_overdue_households_and_idle_representatives(
    county, rep_a1, village_a1_rep, township_a_staff, household_a1
):
    Contact.objects.filter(pk=household_a1.pk).update(
        last_visited_on=timezone.localdate() - timedelta(days=400)
    )
    first = send_township_reminders(county.township_a)
    assert titles(village_a1_rep) == {"1 户联系户需要走访", "30 天内没有走访记录"}
    assert titles(township_a_staff) == {"1 名执委 30 天内没有走访记录"}
    assert first == 3
    assert send_township_reminders(county.township_a) == 0
    tomorrow = timezone.now() + timedelta(days=1)
    assert send_township_reminders(county.township_a, now=tomorrow) == 3


def test_sensitive_case_not_escalated_in_24_hours(
    county, village_a1_rep, household_a1, township_a_staff
):
    services.log_visit(
        village_a1_rep,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[household_a1],
        summary="x",
        needs=[{"contact": household_a1, "category": "violence", "description": "丈夫动手"}],
    )
    send_township_reminders(county.township_a)
    assert not Notification.objects.filter(
        recipient=township_a_staff, key__startswith="sensitive"
    ).exists()

    send_township_reminders(county.township_a, now=timezone.now() + timedelta(hours=25))
    reminder = Notification.objects.get(recipient=township_a_staff, key__startswith="sensitive")
    assert reminder.title == "甲一村有 1 件敏感个案超过 24 小时未上报"
    assert "张" not in reminder.title + reminder.body and "丈夫" not in reminder.body


def test_case_past_its_deadline_reminds_its_representative(county, village_a1_rep, household_a1):
    with time_machine.travel(MONDAY):  # three days later is a working day
        services.open_case(
            village_a1_rep, contact=household_a1, category="hardship", description="x"
        )
    send_township_reminders(county.township_a, now=MONDAY + timedelta(days=4))
    assert "个案已超过办理时限：生活困难" in titles(village_a1_rep)


def test_case_reminders_follow_the_rule_the_admin_sets(county, village_a1_rep, household_a1):
    """The deadline comes from the engine's rule table: ten days to start handling means no
    reminder after four."""
    DeadlineRule.objects.update_or_create(
        kind="case", state="open", defaults={"days": 10, "working_days": False}
    )
    with time_machine.travel(MONDAY):
        services.open_case(
            village_a1_rep, contact=household_a1, category="hardship", description="x"
        )
    send_township_reminders(county.township_a, now=MONDAY + timedelta(days=4))
    assert "个案已超过办理时限：生活困难" not in titles(village_a1_rep)
