"""Store the deadline rules the code used to fix, so a county admin can change them in the admin:
case states as the old STATE_DEADLINES (calendar days), a sensitive case escalated within 24 hours,
progress reports reviewed and returned reports refiled within 5 working days."""

from django.db import migrations

RULES = [
    # kind, state, days, hours, working_days
    ("case", "open", 3, 0, False),
    ("case", "in_progress", 15, 0, False),
    ("case", "escalated", 7, 0, False),
    ("case", "referred", 15, 0, False),
    ("case", "resolved", 7, 0, False),
    ("case", "closed", 0, 0, False),
    ("case", "sensitive-escalation", 0, 24, False),
    ("progress-report", "submitted", 5, 0, True),
    ("progress-report", "returned", 5, 0, True),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    for kind, state, days, hours, working in RULES:
        DeadlineRule.objects.get_or_create(
            kind=kind,
            state=state,
            defaults={"days": days, "hours": hours, "working_days": working},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0005_seed_holiday_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
