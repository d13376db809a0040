"""A department's group robot hears of late referrals and decisions as counts and a link,
once a day: a referral's title names a woman's need, and the group is wider than the liaisons
a consented referral is shared with."""

from datetime import timedelta

from django.utils import timezone

from apps.coordination.reminders import send_department_reminders
from apps.notifications.models import GroupRobot, RobotMessage
from tests.coordination.test_reminders import late  # noqa: F401


def test_late_referrals_reach_the_departments_group_as_a_count_once_a_day(
    late,  # noqa: F811
    county,
    dept_liaison,
    county_admin,
):
    GroupRobot.objects.create(
        unit=county.department,
        kind=GroupRobot.Kind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    send_department_reminders(county.department)
    send_department_reminders(county.department)
    tomorrow = timezone.now() + timedelta(days=1)
    send_department_reminders(county.department, now=tomorrow)

    messages = list(RobotMessage.objects.order_by("pk"))
    assert len(messages) == 2
    assert messages[0].text == "县教育局：社会协调提醒\n· 1 件转介超过时限"
    assert messages[0].event == GroupRobot.Event.REMINDER
    for message in messages:
        for personal in ("张桂芳", "138", "辍学", "学业资助", "儿童教育"):
            assert personal not in message.text
