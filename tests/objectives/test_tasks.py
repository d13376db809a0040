"""Scheduled objective work: reminders once per event per day, nightly scoring on a real
worker, and the score_period command."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from apps.notifications.models import Notification
from apps.objectives import services
from apps.objectives.models import UnitScore
from apps.objectives.services.reminders import send_plan_reminders
from apps.objectives.tasks import score_open_plans
from tests.conftest import wait_for
from tests.objectives.conftest import quantitative


@pytest.fixture
def published(split_training, county_admin):
    part_a, part_b = split_training
    services.publish_plan(county_admin, part_a.plan)
    return part_a.plan


def test_overdue_reports_are_reminded_once_a_day(published, township_a_staff):
    today = date(2026, 11, 27)
    first = send_plan_reminders(published, today=today)
    titles = set(
        Notification.objects.filter(recipient=township_a_staff).values_list("title", flat=True)
    )
    # Three quarters are past due (Q1–Q3; Q4 is due in January), told in one summary.
    assert titles == {"3 份进度报告已逾期"}
    assert send_plan_reminders(published, today=today) == 0
    assert send_plan_reminders(published, today=today + timedelta(days=1)) == first


def test_report_due_soon_is_reminded(published, township_a_staff):
    send_plan_reminders(published, today=date(2027, 1, 3))
    assert Notification.objects.filter(
        recipient=township_a_staff, title="1 份进度报告 3 天内到期"
    ).exists()


@pytest.mark.usefixtures("holiday_calendar")
def test_a_report_due_on_a_holiday_is_not_overdue_before_the_next_working_day(
    published, township_a_staff
):
    """The third quarter's report is due on 5 October, in the National Day holiday: it falls
    due on 8 October, the first working day after."""
    send_plan_reminders(published, today=date(2026, 10, 6))
    assert titles_of(township_a_staff) == {"2 份进度报告已逾期", "1 份进度报告 3 天内到期"}


def titles_of(user):
    return set(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_filed_reports_stop_the_reminders(published, township_a_staff):
    leaf = published.objectives.get(assignee_unit__name="甲镇")
    for cycle in (date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)):
        services.submit_report(
            township_a_staff, leaf, cycle_end=cycle, value=Decimal(10), narrative="补报"
        )
    send_plan_reminders(published, today=date(2026, 11, 27))
    assert not Notification.objects.filter(
        recipient=township_a_staff, key__startswith="reports-"
    ).exists()


def test_pending_innovation_claims_remind_the_county(
    published, county, county_admin, township_a_staff
):
    services.claim_innovation(
        township_a_staff,
        published,
        unit=county.township_a,
        title="巾帼网格",
        description="d",
        claimed_points=Decimal(1),
    )
    send_plan_reminders(published, today=date(2026, 11, 27))
    assert Notification.objects.get(
        recipient=county_admin, key__startswith="innovation-pending"
    ).title == ("1 个创新加分项待审核")


def test_score_period_command(published, township_a_staff, county_admin):
    leaf = published.objectives.get(assignee_unit__name="甲镇")
    report = services.submit_report(
        township_a_staff, leaf, cycle_end=date(2026, 12, 31), value=Decimal(90), narrative="x"
    )
    services.approve_report(county_admin, report)
    call_command("score_period", plan=published.pk, stdout=StringIO())
    assert UnitScore.objects.get(unit__name="甲镇").score == Decimal("50.00")


@pytest.mark.worker
def test_nightly_scoring_runs_on_a_real_worker(celery_worker, county, county_admin, period):
    plan = services.create_plan(county_admin, period=period, unit=county.county, title="责任书")
    services.add_objective(
        county_admin, plan, **quantitative(assignee_unit=county.township_a, weight=Decimal(10))
    )
    services.publish_plan(county_admin, plan)
    score_open_plans.delay()
    assert wait_for(lambda: UnitScore.objects.filter(plan=plan).exists())
    assert UnitScore.objects.get(plan=plan).grade == "fail"
