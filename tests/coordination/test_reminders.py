"""Hourly reminders for referrals past a deadline: to the department's liaison one per
referral, to its supervisors (county federation staff over it) one summary, each at most once
a day; worked out per department, on a real worker; never a word about the woman."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.coordination import services, tasks
from apps.coordination.models import Referral
from apps.coordination.reminders import departments_to_remind, send_department_reminders
from apps.notifications.models import Notification
from tests.conftest import make_user, wait_for


@pytest.fixture
def late(village_a1_rep, case_a1, school_aid):
    """A referral sent three days ago and not accepted."""
    referral = services.refer_case(
        village_a1_rep, case_a1, service=school_aid, consent=True, consent_method="written"
    )
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.now() - timedelta(days=5), accept_due=timezone.now() - timedelta(days=3)
    )
    return referral


def reminders_of(user):
    return Notification.objects.filter(recipient=user, key__contains="overdue")


def test_a_referral_not_accepted_in_time(
    late, county, dept_liaison, county_admin, township_a_staff, village_a1_rep, leader
):
    assert list(departments_to_remind()) == [county.department.pk]
    assert send_department_reminders(county.department) == 2
    (liaison_note,) = reminders_of(dept_liaison)
    assert liaison_note.title == "转介未按时签收：儿童教育 · 学业资助"
    assert liaison_note.url == late.get_absolute_url()
    (summary,) = reminders_of(county_admin)
    assert summary.title == "县教育局有 1 件转介超过时限"
    assert summary.body == "儿童教育 · 学业资助"
    for user in (township_a_staff, village_a1_rep, leader):
        assert not reminders_of(user).exists()
    # Nothing of the woman: not her name, phone or need.
    for note in (liaison_note, summary):
        text = note.title + note.body
        assert "张桂芳" not in text and "138" not in text and "辍学" not in text


def test_once_a_day(late, county, dept_liaison, county_admin):
    assert send_department_reminders(county.department) == 2
    assert send_department_reminders(county.department) == 0
    tomorrow = timezone.now() + timedelta(days=1)
    assert send_department_reminders(county.department, now=tomorrow) == 2


def test_a_referral_not_completed_in_time_is_another_event(late, county, dept_liaison):
    send_department_reminders(county.department)
    services.accept_referral(dept_liaison, late)
    assert send_department_reminders(county.department) == 0  # accepted: nothing late today
    Referral.objects.filter(pk=late.pk).update(complete_due=timezone.now() - timedelta(hours=1))
    assert send_department_reminders(county.department) == 1  # the summary was sent today
    titles = set(reminders_of(dept_liaison).values_list("title", flat=True))
    assert "转介未按时办结：儿童教育 · 学业资助" in titles


def test_nothing_late_nothing_sent(village_a1_rep, case_a1, school_aid, county, dept_liaison):
    referral = services.refer_case(
        village_a1_rep, case_a1, service=school_aid, consent=True, consent_method="verbal"
    )
    assert list(departments_to_remind()) == []
    assert send_department_reminders(county.department) == 0
    services.decline_referral(dept_liaison, referral, reason="不符合条件")
    Referral.objects.filter(pk=referral.pk).update(accept_due=timezone.now() - timedelta(days=3))
    assert list(departments_to_remind()) == []


def test_supervisors_are_the_federation_the_department_hangs_under(late, county):
    from apps.core.roles import Role

    township_admin = make_user("odd_admin", Role.COUNTY_ADMIN, county.township_a)
    county_staff = make_user("county_staff_2", Role.COUNTY_ADMIN, county.county)
    send_department_reminders(county.department)
    assert reminders_of(county_staff).count() == 1
    assert not reminders_of(township_admin).exists()


def test_the_schedule_is_registered():
    from apps.core import schedules

    assert ("coordination.send_reminders", "apps.coordination.tasks.send_reminders") in (
        schedules.default_tasks()
    )


@pytest.mark.worker
def test_reminders_run_on_a_real_worker_once_per_event_per_day(
    celery_worker, late, county, dept_liaison, county_admin, police, police_liaison
):
    tasks.send_reminders.delay()
    assert wait_for(lambda: reminders_of(dept_liaison).exists() and reminders_of(county_admin))
    tasks.send_reminders.delay()
    # The second run is done when its department task has run: give it the same time.
    tasks.send_department_reminders.delay(county.department.pk).get(timeout=20)
    assert reminders_of(dept_liaison).count() == 1
    assert reminders_of(county_admin).count() == 1
    assert not reminders_of(police_liaison).exists()


# --- joint-meeting decisions past their deadline ------------------------------------------------


@pytest.fixture
def late_decision(county, county_admin, dept_liaison):
    from apps.coordination.models import MeetingDecision

    services.add_member(
        county_admin,
        department=county.department,
        joined_on=timezone.localdate() - timedelta(days=400),
        officer=dept_liaison,
    )
    meeting = services.save_meeting(
        county_admin,
        title="第一次全体会议",
        held_on=timezone.localdate() - timedelta(days=30),
        place="县政府会议室",
        agenda="部署全年工作",
        minutes="会议研究了三项工作。",
        departments=[county.department],
        decisions=[
            {
                "text": "开展女童资助摸底",
                "owner": county.department,
                "deadline": timezone.localdate() + timedelta(days=20),
            }
        ],
    )
    decision = meeting.decisions.get()
    MeetingDecision.objects.filter(pk=decision.pk).update(
        deadline=timezone.localdate() - timedelta(days=2)
    )
    return decision


def test_a_decision_past_its_deadline_reminds_its_department_once_a_day(
    late_decision, county, dept_liaison, county_admin, township_a_staff, leader
):
    assert list(departments_to_remind()) == [county.department.pk]
    assert send_department_reminders(county.department) == 2
    (liaison_note,) = reminders_of(dept_liaison)
    assert liaison_note.title == "联席会议议定事项已超过时限：第一次全体会议 · 开展女童资助摸底"
    assert liaison_note.url == late_decision.get_absolute_url()
    (summary,) = reminders_of(county_admin)
    assert summary.title == "县教育局有 1 项联席会议议定事项超过时限"
    for user in (township_a_staff, leader):
        assert not reminders_of(user).exists()
    assert send_department_reminders(county.department) == 0


def test_a_decision_done_or_handed_to_supervision_is_not_reminded(
    late_decision, county, dept_liaison
):
    from apps.coordination.models import MeetingDecision

    for state in (MeetingDecision.State.DONE, MeetingDecision.State.SUPERVISED):
        MeetingDecision.objects.filter(pk=late_decision.pk).update(state=state)
        assert list(departments_to_remind()) == []
        assert send_department_reminders(county.department) == 0
