"""The hourly beat task fans out one task per lead unit with open items; each calls the one
service and is safe to run twice."""

from apps.core import schedules
from apps.supervision import tasks
from apps.supervision.models import ItemLog
from tests.supervision.conftest import assign, at


def test_the_hourly_task_sends_one_task_per_lead_unit(
    clock, item, county, county_admin, monkeypatch
):
    assign(county_admin, county, lead_unit=county.township_a, cooperating_units=[])
    assign(county_admin, county, lead_unit=county.township_a, cooperating_units=[])
    sent = []
    monkeypatch.setattr(tasks.send_unit_reminders, "delay", sent.append)
    tasks.send_reminders()
    assert sorted(sent) == sorted([county.department.pk, county.township_a.pk])
    assert ("supervision.send_reminders", "apps.supervision.tasks.send_reminders") in (
        schedules.default_tasks()
    )


def test_a_unit_task_urges_once_however_often_it_runs(clock, item, county, dept_liaison):
    clock.move_to(at(2026, 11, 24, 11, 0))  # 签收 missed: red
    assert tasks.send_unit_reminders(county.department.pk) == 1
    assert tasks.send_unit_reminders(county.department.pk) == 0
    assert ItemLog.objects.filter(item=item, action="urge", automatic=True).count() == 1
