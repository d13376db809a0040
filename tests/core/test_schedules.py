"""Default schedules land in django-celery-beat's tables once and can be queued on demand."""

from io import StringIO

from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from apps.core import schedules


def test_default_schedules_are_installed_and_keep_admin_edits(db):
    schedules.install_defaults()
    names = {name for name, _task in schedules.default_tasks()}
    assert names <= set(PeriodicTask.objects.values_list("name", flat=True))
    PeriodicTask.objects.filter(name="liaison.send_reminders").update(enabled=False)
    schedules.install_defaults()
    assert not PeriodicTask.objects.get(name="liaison.send_reminders").enabled


def test_run_scheduled_tasks_queues_every_default(db, monkeypatch):
    from federation.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", sent.append)
    call_command("run_scheduled_tasks", stdout=StringIO())
    assert set(sent) == {task for _name, task in schedules.default_tasks()}
    assert "apps.objectives.tasks.score_open_plans" in sent
