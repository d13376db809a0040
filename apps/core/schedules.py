"""Default Celery beat schedules, written to django-celery-beat's tables after migrate.

Each app registers its periodic tasks in AppConfig.ready(); a schedule is created only when no
task of that name exists yet, so what an admin changed in the admin site is kept.
"""

from dataclasses import dataclass

from django.db.models.signals import post_migrate


@dataclass(frozen=True)
class DefaultSchedule:
    name: str
    task: str
    description: str
    every_minutes: int | None = None
    cron: str | None = None  # "minute hour day_of_month month_of_year day_of_week"


_defaults: list[DefaultSchedule] = []


def register(*schedules):
    _defaults.extend(schedules)


def default_tasks():
    """(name, task) of every registered default schedule."""
    return [(default.name, default.task) for default in _defaults]


def install_defaults(**kwargs):
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    existing = set(PeriodicTask.objects.values_list("name", flat=True))
    for default in _defaults:
        if default.name in existing:
            continue
        if default.cron:
            minute, hour, day_of_month, month_of_year, day_of_week = default.cron.split()
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
                timezone="Asia/Shanghai",
            )
            schedule = {"crontab": crontab}
        else:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=default.every_minutes, period=IntervalSchedule.MINUTES
            )
            schedule = {"interval": interval}
        PeriodicTask.objects.create(
            name=default.name, task=default.task, description=str(default.description), **schedule
        )


def connect(sender):
    post_migrate.connect(
        install_defaults, sender=sender, dispatch_uid="core.install_default_schedules"
    )
