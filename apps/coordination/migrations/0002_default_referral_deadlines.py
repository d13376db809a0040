"""Store the referral deadline defaults so a county admin can change them in the admin: accept
within 2 working days, complete within 15 working days of accepting."""

from django.db import migrations

RULES = [
    # kind, state, days, hours, working_days
    ("referral", "accept", 2, 0, True),
    ("referral", "complete", 15, 0, True),
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
    dependencies = [("coordination", "0001_services_and_referrals"), ("core", "0006_default_deadline_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
