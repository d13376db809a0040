"""A unit's WeCom / DingTalk group robot: reminders and escalations reach it once per event,
a failed post is retried by the outbox until the robot takes it, DingTalk's 加签 is right, and
nothing personal from a case ever goes into the group chat. Every post goes to a real HTTP
server on 127.0.0.1 that records what it is sent."""

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.liaison import services as liaison
from apps.liaison.models import Contact
from apps.liaison.services.reminders import send_township_reminders
from apps.notifications import services, tasks
from apps.notifications.models import GroupRobot, RobotMessage
from apps.organizations.models import OrgUnit
from tests.conftest import make_unit, wait_for
from tests.liaison.conftest import make_household, make_representative

OK = (200, {"errcode": 0, "errmsg": "ok"})
KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"


class FakeRobotServer:
    """Answers each POST with the next planned reply (then OK), and keeps what it was sent."""

    def __init__(self):
        self.posts = []
        self.replies = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with server.lock:
                    server.posts.append({"path": self.path, "json": json.loads(body)})
                    status, answer = server.replies.pop(0) if server.replies else OK
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, kind=GroupRobot.Kind.WECOM):
        if kind == GroupRobot.Kind.DINGTALK:
            return f"{self.base}/robot/send?access_token={KEY}"
        return f"{self.base}/cgi-bin/webhook/send?key={KEY}"

    def texts(self):
        return [post["json"]["text"]["content"] for post in self.posts]


@pytest.fixture
def fake_robot():
    server = FakeRobotServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def outbox_now(monkeypatch):
    """The outbox's delivery task runs at once in this process instead of on a worker."""
    monkeypatch.setattr(tasks.deliver_robot_message, "delay", services.deliver_robot_message)


@pytest.fixture
def township_robot(county, fake_robot):
    return GroupRobot.objects.create(
        unit=county.township_a, kind=GroupRobot.Kind.WECOM, webhook_url=fake_robot.url()
    )


def overdue_household(county, village_a1_rep):
    household = make_household(make_representative(village_a1_rep, county.village_a1, "A1-01"))
    Contact.objects.filter(pk=household.pk).update(
        last_visited_on=timezone.localdate() - timedelta(days=400)
    )
    return household


def remind(township, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return send_township_reminders(township, **kwargs)


def test_a_reminder_reaches_the_units_robot_once_however_often_the_run_repeats(
    county,
    village_a1_rep,
    township_a_staff,
    township_robot,
    fake_robot,
    outbox_now,
    django_capture_on_commit_callbacks,
):
    overdue_household(county, village_a1_rep)
    remind(county.township_a, django_capture_on_commit_callbacks)
    remind(county.township_a, django_capture_on_commit_callbacks)

    assert len(fake_robot.posts) == 1
    post = fake_robot.posts[0]
    assert post["path"] == f"/cgi-bin/webhook/send?key={KEY}"
    assert post["json"]["msgtype"] == "text"
    text = post["json"]["text"]["content"]
    assert text.startswith("甲镇")
    assert "1 户联系户需要走访" in text and "1 名执委 30 天内没有走访记录" in text
    message = RobotMessage.objects.get()
    assert message.sent_at and message.attempts == 1 and not message.last_error
    township_robot.refresh_from_db()
    assert township_robot.last_attempt_at and not township_robot.last_error


def test_the_next_day_is_a_new_message(
    county,
    village_a1_rep,
    township_robot,
    fake_robot,
    outbox_now,
    django_capture_on_commit_callbacks,
):
    overdue_household(county, village_a1_rep)
    remind(county.township_a, django_capture_on_commit_callbacks)
    tomorrow = timezone.now() + timedelta(days=1)
    remind(county.township_a, django_capture_on_commit_callbacks, now=tomorrow)
    assert len(fake_robot.posts) == 2


def test_a_unit_without_a_robot_or_with_it_switched_off_gets_nothing(
    county, village_a1_rep, fake_robot, outbox_now, django_capture_on_commit_callbacks
):
    overdue_household(county, village_a1_rep)
    # Township B's robot hears nothing of township A.
    GroupRobot.objects.create(
        unit=county.township_b, kind=GroupRobot.Kind.WECOM, webhook_url=fake_robot.url()
    )
    remind(county.township_a, django_capture_on_commit_callbacks)
    assert fake_robot.posts == [] and not RobotMessage.objects.exists()

    robot = GroupRobot.objects.create(
        unit=county.township_a,
        kind=GroupRobot.Kind.WECOM,
        webhook_url=fake_robot.url(),
        sends_reminders=False,
    )
    remind(county.township_a, django_capture_on_commit_callbacks)
    robot.sends_reminders, robot.is_enabled = True, False
    robot.save()
    remind(county.township_a, django_capture_on_commit_callbacks)
    assert fake_robot.posts == [] and not RobotMessage.objects.exists()


def test_a_failing_robot_is_retried_by_the_outbox_until_it_takes_the_message(
    county,
    village_a1_rep,
    township_robot,
    fake_robot,
    outbox_now,
    django_capture_on_commit_callbacks,
    caplog,
):
    overdue_household(county, village_a1_rep)
    fake_robot.replies = [
        (500, {"error": "down"}),
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
    ]
    with caplog.at_level(logging.INFO, logger="apps.notifications.services"):
        remind(county.township_a, django_capture_on_commit_callbacks)
        message = RobotMessage.objects.get()
        assert (message.attempts, message.sent_at, message.last_error) == (1, None, "HTTP 500")
        # Not again within five minutes of the last attempt.
        assert services.undelivered_robot_message_ids() == []

        def outbox_run(minutes_later):
            RobotMessage.objects.update(
                created_at=timezone.now() - timedelta(minutes=minutes_later),
                last_attempt_at=timezone.now() - timedelta(minutes=minutes_later),
            )
            tasks.deliver_undelivered_robot_messages()
            return RobotMessage.objects.get()

        message = outbox_run(10)
        assert message.attempts == 2 and message.sent_at is None
        assert message.last_error == "errcode 93000: invalid webhook url"
        township_robot.refresh_from_db()
        assert township_robot.last_error.startswith("errcode 93000")

        message = outbox_run(10)  # the robot has recovered
        assert message.attempts == 3 and message.sent_at and not message.last_error
        assert outbox_run(10).attempts == 3  # sent: never again

    assert len(fake_robot.posts) == 3 and len(set(fake_robot.texts())) == 1
    township_robot.refresh_from_db()
    assert township_robot.last_error == ""
    # Each attempt is logged, with the robot's key masked.
    logged = [r.getMessage() for r in caplog.records if "Group robot" in r.getMessage()]
    assert len(logged) == 3
    assert all(KEY not in line and "key=693a****" in line for line in logged)


def test_the_outbox_gives_up_after_the_last_attempt(county, township_robot, fake_robot, outbox_now):
    fake_robot.replies = [(500, {})] * 10
    message = RobotMessage.objects.create(
        robot=township_robot, key="k", event=GroupRobot.Event.REMINDER, text="提醒"
    )
    for _attempt in range(RobotMessage.MAX_ATTEMPTS + 2):
        services.deliver_robot_message(message.pk)
    message.refresh_from_db()
    assert message.attempts == RobotMessage.MAX_ATTEMPTS and message.gave_up
    assert len(fake_robot.posts) == RobotMessage.MAX_ATTEMPTS
    RobotMessage.objects.update(created_at=timezone.now() - timedelta(hours=1))
    RobotMessage.objects.update(last_attempt_at=timezone.now() - timedelta(hours=1))
    assert services.undelivered_robot_message_ids() == []


def test_a_robot_that_does_not_answer_fails_within_the_timeout(county, settings):
    # A socket that accepts the connection and never answers.
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    robot = GroupRobot(
        unit=county.township_a,
        kind=GroupRobot.Kind.WECOM,
        webhook_url=f"http://127.0.0.1:{port}/send?key={KEY}",
    )
    started = time.monotonic()
    with pytest.raises(services.RobotError, match="network error"):
        services.post_to_robot(robot, "提醒", timeout=0.5)
    assert time.monotonic() - started < 5
    listener.close()


def test_dingtalk_signing_parameters(county, fake_robot):
    secret = "SEC000000000000000000000000000000000000000000000000000000000000"
    robot = GroupRobot.objects.create(
        unit=county.department,
        kind=GroupRobot.Kind.DINGTALK,
        webhook_url=fake_robot.url(GroupRobot.Kind.DINGTALK),
        secret=secret,
    )
    before = int(time.time() * 1000)
    services.post_to_robot(robot, "催办提醒")
    after = int(time.time() * 1000)

    (post,) = fake_robot.posts
    query = parse_qs(urlsplit(post["path"]).query)
    assert query["access_token"] == [KEY]
    timestamp = query["timestamp"][0]
    assert before <= int(timestamp) <= after
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs undoes the URL encoding of + / =
    assert post["json"] == {"msgtype": "text", "text": {"content": "催办提醒"}}
    # The example in DingTalk's documentation, worked through the same function.
    signed = services.dingtalk_signature("SECabc", timestamp_ms=1577262236757)
    digest = hmac.new(b"SECabc", b"1577262236757\nSECabc", hashlib.sha256).digest()
    assert signed == (
        "timestamp=1577262236757&sign="
        + base64.b64encode(digest)
        .decode()
        .replace("+", "%2B")
        .replace("/", "%2F")
        .replace("=", "%3D")
    )


def test_a_sensitive_case_reaches_the_group_as_a_count_only(
    county,
    village_a1_rep,
    township_a_staff,
    township_robot,
    fake_robot,
    outbox_now,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.SITE_URL = "https://fulian.example.gov.cn"
    household = make_household(make_representative(village_a1_rep, county.village_a1, "A1-01"))
    liaison.log_visit(
        village_a1_rep,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[household],
        summary="上门了解情况",
        needs=[
            {
                "contact": household,
                "category": "violence",
                "description": "丈夫酒后动手，她不敢回娘家",
            }
        ],
    )
    later = timezone.now() + timedelta(days=5)
    remind(county.township_a, django_capture_on_commit_callbacks, now=later)

    texts = fake_robot.texts()
    alarm = [text for text in texts if "敏感个案" in text]
    assert len(alarm) == 1
    assert "甲镇：1 件敏感个案超过 24 小时未上报" in alarm[0]
    for text in texts:
        for personal in ("张桂芳", "13812345678", "三组", "丈夫", "娘家", "甲一村", "家庭暴力"):
            assert personal not in text
    # Counts and a link to the portal, where the rules of who sees what still apply.
    assert all("https://fulian.example.gov.cn/" in text for text in texts)


def test_the_robot_key_is_masked_in_the_admin_list_and_the_page_renders(
    county, county_admin, township_robot, client_as, admin_user
):
    RobotMessage.objects.create(
        robot=township_robot,
        key="k",
        event=GroupRobot.Event.REMINDER,
        text="提醒",
        attempts=2,
        last_error="HTTP 500",
    )
    GroupRobot.objects.filter(pk=township_robot.pk).update(
        last_attempt_at=timezone.now(), last_error="HTTP 500"
    )
    county_admin.is_staff = True
    county_admin.save()
    county_admin.user_permissions.set(
        Permission.objects.filter(content_type__app_label="notifications")
    )
    for user in (county_admin, admin_user):
        client = client_as(user)
        page = client.get("/admin/notifications/grouprobot/").content.decode()
        assert "甲镇" in page and "key=693a****" in page and KEY not in page
        assert "失败：HTTP 500" in page
        assert client.get("/admin/notifications/robotmessage/").status_code == 200
        change = client.get(f"/admin/notifications/grouprobot/{township_robot.pk}/change/")
        assert change.status_code == 200


@pytest.mark.parametrize(
    "persona", ["township_a_staff", "village_a1_rep", "dept_liaison", "leader"]
)
def test_no_one_but_county_staff_sees_the_robots_even_with_admin_rights(
    persona, request, county, township_robot, client_as
):
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="notifications"))
    client = client_as(user)
    assert client.get("/admin/notifications/grouprobot/").status_code == 403
    assert client.get("/admin/notifications/robotmessage/").status_code == 403
    change = f"/admin/notifications/grouprobot/{township_robot.pk}/change/"
    assert client.get(change).status_code in (302, 403, 404)


def test_a_county_admin_sees_only_her_own_countys_robots(
    county, county_admin, township_robot, client_as
):
    other_county = make_unit("他县", "200", OrgUnit.Kind.COUNTY)
    GroupRobot.objects.create(
        unit=other_county, kind=GroupRobot.Kind.WECOM, webhook_url=township_robot.webhook_url
    )
    county_admin.is_staff = True
    county_admin.save()
    county_admin.user_permissions.set(
        Permission.objects.filter(content_type__app_label="notifications")
    )
    response = client_as(county_admin).get("/admin/notifications/grouprobot/")
    assert [robot.unit for robot in response.context["cl"].result_list] == [county.township_a]


def test_the_admin_lists_cost_the_same_queries_for_one_robot_or_many(
    county, admin_user, client_as, fake_robot
):
    client = client_as(admin_user)

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    def add_robot(unit):
        robot = GroupRobot.objects.create(
            unit=unit, kind=GroupRobot.Kind.WECOM, webhook_url=fake_robot.url()
        )
        RobotMessage.objects.create(
            robot=robot, key="k", event=GroupRobot.Event.REMINDER, text="提醒"
        )

    add_robot(county.township_a)
    few = [queries(path) for path in ROBOT_ADMIN_LISTS]
    for unit in (county.township_b, county.department, county.county):
        add_robot(unit)
    assert [queries(path) for path in ROBOT_ADMIN_LISTS] == few


ROBOT_ADMIN_LISTS = ["/admin/notifications/grouprobot/", "/admin/notifications/robotmessage/"]


def test_the_admin_form_checks_the_url_and_keeps_the_secret(
    county, admin_user, client_as, fake_robot
):
    client = client_as(admin_user)
    url = "/admin/notifications/grouprobot/add/"
    form = {
        "unit": county.department.pk,
        "kind": "dingtalk",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?token=x",
        "secret": "SECabc",
        "is_enabled": "on",
        "sends_reminders": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not GroupRobot.objects.exists()
    assert "access_token" in response.content.decode()

    form["webhook_url"] = fake_robot.url(GroupRobot.Kind.DINGTALK)
    assert client.post(url, form).status_code == 302
    robot = GroupRobot.objects.get()
    assert robot.secret == "SECabc" and not robot.sends_escalations
    change = client.get(f"/admin/notifications/grouprobot/{robot.pk}/change/").content.decode()
    assert "SECabc" not in change
    # Saved again without retyping it: the stored secret stays.
    form["secret"] = ""
    client.post(f"/admin/notifications/grouprobot/{robot.pk}/change/", form)
    robot.refresh_from_db()
    assert robot.secret == "SECabc"


@pytest.mark.worker
def test_a_real_worker_posts_a_reminder_once_when_the_job_runs_twice(
    celery_worker, county, village_a1_rep, township_robot, fake_robot
):
    from apps.liaison.tasks import send_township_reminders as task

    overdue_household(county, village_a1_rep)
    task.delay(county.township_a.pk).get(timeout=20)
    task.delay(county.township_a.pk).get(timeout=20)
    assert wait_for(lambda: RobotMessage.objects.filter(sent_at__isnull=False).exists())
    time.sleep(0.5)  # a second post, if there were one, would have arrived by now
    assert len(fake_robot.posts) == 1 and RobotMessage.objects.count() == 1
