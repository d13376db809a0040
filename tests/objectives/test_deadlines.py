"""Objectives and progress reports judged by the deadline engine at frozen dates (late November
2026 unless a test says otherwise: the third quarter was reportable, the fourth is not yet)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.core.deadlines import Light, Reason
from apps.objectives import services
from apps.objectives.deadlines import OBJECTIVES, REPORTS, last_reportable_cycle, report_due
from apps.objectives.models import ProgressReport

pytestmark = pytest.mark.usefixtures("holiday_calendar")
TODAY = date(2026, 11, 27)


def judged(objective, completion, today=TODAY, due=None):
    objective.completion = Decimal(completion)
    if due is not None:
        objective.due_date = due
    status = OBJECTIVES.status_of(objective, today)
    return status.light, status.reason


def test_on_pace_at_the_last_reportable_cycle_is_green(training):
    """70 % by the end of September is on pace; judged against today it used to be yellow."""
    assert judged(training, "0.70") == (Light.GREEN, Reason.ON_TRACK)


def test_behind_the_pace_of_the_reported_cycles(training):
    assert judged(training, "0.60") == (Light.YELLOW, Reason.BEHIND)
    assert judged(training, "0.40") == (Light.RED, Reason.BEHIND)


def test_a_cycle_not_yet_reportable_does_not_count(training):
    """On 7 October the third quarter's report is not due yet (5 days of grace end on the
    National Day holiday and move to 8 October): the pace is that of the second quarter."""
    assert last_reportable_cycle(training, date(2026, 10, 7)) == date(2026, 6, 30)
    assert last_reportable_cycle(training, date(2026, 10, 8)) == date(2026, 9, 30)
    assert judged(training, "0.50", today=date(2026, 10, 7)) == (Light.GREEN, Reason.ON_TRACK)
    assert judged(training, "0.50", today=date(2026, 10, 8)) == (Light.YELLOW, Reason.BEHIND)


def test_due_today_is_due_soon_and_a_day_past_is_overdue(training):
    assert judged(training, "0.95", due=TODAY) == (Light.YELLOW, Reason.DUE_SOON)
    assert judged(training, "0.95", due=TODAY - timedelta(days=1)) == (
        Light.RED,
        Reason.OVERDUE,
    )
    assert judged(training, "1.00", due=TODAY - timedelta(days=1)) == (Light.GREEN, Reason.DONE)


def test_a_report_due_on_a_holiday_is_due_the_next_working_day(training):
    assert report_due(training, date(2026, 9, 30)) == date(2026, 10, 8)
    assert report_due(training, date(2026, 6, 30)) == date(2026, 7, 6)  # Sunday → Monday


def test_objectives_expose_light_and_reason_in_the_api(api_as, county_admin, training):
    row = api_as(county_admin).get(f"/api/v1/objectives/{training.pk}/").json()
    assert (row["light"], row["light_reason"]) == ("red", "behind")


def submitted(objective, user, at):
    return ProgressReport.objects.create(
        objective=objective,
        cycle_end=date(2026, 9, 30),
        value=Decimal(100),
        completion=Decimal("0.5"),
        narrative="x",
        submitted_by=user,
        submitted_at=at,
    )


def test_a_report_awaits_review_five_working_days(training, county_admin):
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    report = submitted(training, county_admin, friday)
    assert REPORTS.due_of(report) == date(2026, 11, 27)
    assert REPORTS.status_of(report, date(2026, 11, 25)).reason == Reason.ON_TRACK
    assert REPORTS.status_of(report, date(2026, 11, 27)).reason == Reason.DUE_SOON
    assert REPORTS.status_of(report, date(2026, 11, 30)).reason == Reason.OVERDUE
    report.status = ProgressReport.Status.APPROVED
    assert REPORTS.status_of(report, date(2026, 11, 30)).reason == Reason.DONE


def test_reports_expose_their_light_in_the_api_and_list(api_as, client_as, county_admin, training):
    report = submitted(
        training, county_admin, datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    row = api_as(county_admin).get(f"/api/v1/progress-reports/{report.pk}/").json()
    assert (row["light"], row["light_reason"]) == ("red", "overdue")
    html = client_as(county_admin).get("/objectives/reports/?awaiting=").content.decode()
    assert 'data-light-reason="overdue"' in html


def test_the_light_helper_and_the_engine_agree(training):
    with time_machine.travel(datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        training.completion = Decimal("0.2")
        assert services.light_of(training) == Light.RED


def test_open_items_are_one_query_per_kind(
    django_assert_num_queries, training, county_admin, township_a_staff
):
    submitted(training, township_a_staff, datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("UTC")))
    training.plan.status = "published"
    training.plan.save()
    type(training).objects.filter(pk=training.pk).update(published_at=training.plan.created_at)
    admin = type(county_admin).objects.get(pk=county_admin.pk)
    from apps.core import deadlines

    # memberships; objectives; the calendar (2026 and 2027); reports; the rules
    with django_assert_num_queries(5):
        rows = [
            (k.name, s.reason)
            for k, _i, s in deadlines.open_items(admin, names={"objective", "progress-report"})
        ]
    assert ("progress-report", Reason.OVERDUE) in rows
    assert ("objective", Reason.BEHIND) in rows
