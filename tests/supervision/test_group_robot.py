"""A lead unit's group robot hears the day's 催办 as one message of the titles its people get,
and each 督办单 (slip) as an escalation, never the supervisor's reason."""

from apps.notifications.models import GroupRobot, RobotMessage
from apps.supervision import services
from tests.supervision.conftest import at


def test_urges_and_slips_reach_the_lead_units_group_once(
    clock, item, dept_liaison, county, county_admin
):
    robot = GroupRobot.objects.create(
        unit=county.department,
        kind=GroupRobot.Kind.DINGTALK,
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t",
    )
    services.accept_item(dept_liaison, item)
    clock.move_to(at(2026, 12, 15, 9, 0))  # due within three days: yellow, a blue slip
    services.send_unit_reminders(county.department)
    services.send_unit_reminders(county.department)

    urge = RobotMessage.objects.get(event=GroupRobot.Event.REMINDER)
    assert urge.robot == robot
    assert urge.text.startswith("县教育局：1 项督办事项需要关注\n· ")
    assert "留守儿童关爱行动" in urge.text
    slip = RobotMessage.objects.get(event=GroupRobot.Event.ESCALATION)
    assert "留守儿童关爱行动" in slip.text and "蓝" in slip.text

    # A robot that takes reminders only hears no slips.
    RobotMessage.objects.all().delete()
    robot.sends_escalations = False
    robot.save()
    services.issue_slip(county_admin, item, colour="red", reason="市领导批示：务必本周办结")
    assert not RobotMessage.objects.exists()


def test_a_slip_never_carries_the_supervisors_reason(clock, item, county, county_admin):
    GroupRobot.objects.create(
        unit=county.department,
        kind=GroupRobot.Kind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    services.issue_slip(county_admin, item, colour="yellow", reason="张某某反映的问题久拖不决")
    (message,) = RobotMessage.objects.all()
    assert message.event == GroupRobot.Event.ESCALATION
    assert "留守儿童关爱行动" in message.text and "张某某" not in message.text
