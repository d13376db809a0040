"""An assignee unit's group robot hears, once a day, how many of its progress reports are
overdue or due soon: counts and a link, nothing else."""

from datetime import date, timedelta

import pytest

from apps.notifications.models import GroupRobot, RobotMessage
from apps.objectives import services
from apps.objectives.services.reminders import send_plan_reminders


@pytest.fixture
def published(split_training, county_admin):
    part_a, _part_b = split_training
    services.publish_plan(county_admin, part_a.plan)
    return part_a.plan


def test_the_units_group_hears_its_report_counts_once_a_day(published, county):
    GroupRobot.objects.create(
        unit=county.township_a,
        kind=GroupRobot.Kind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    today = date(2026, 11, 27)
    send_plan_reminders(published, today=today)
    send_plan_reminders(published, today=today)

    (message,) = RobotMessage.objects.all()
    assert message.event == GroupRobot.Event.REMINDER
    assert message.text.splitlines()[:2] == [
        f"{county.township_a.name}：需要提交的进度报告",
        "· 3 份进度报告已逾期",
    ]
    send_plan_reminders(published, today=today + timedelta(days=1))
    assert RobotMessage.objects.count() == 2


def test_a_unit_without_a_robot_or_one_taking_no_reminders_hears_nothing(published, county):
    GroupRobot.objects.create(
        unit=county.township_b,
        kind=GroupRobot.Kind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        sends_reminders=False,
    )
    send_plan_reminders(published, today=date(2026, 11, 27))
    assert not RobotMessage.objects.exists()
