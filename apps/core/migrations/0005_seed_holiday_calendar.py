"""Seed the holiday calendar (holidays and 调休 working weekend days) from chinesecalendar.
Later years are added in the admin, or with `manage.py sync_holidays` after a package upgrade."""

from django.db import migrations


def seed(apps, schema_editor):
    from apps.core.holidays import package_days

    SpecialDay = apps.get_model("core", "SpecialDay")
    SpecialDay.objects.bulk_create(
        [SpecialDay(date=day, is_working_day=working, name=name) for day, working, name in package_days()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_holiday_calendar_and_deadline_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
