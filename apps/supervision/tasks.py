"""Supervision work on the Celery worker: thin tasks that take ids and call one service each."""

from celery import shared_task

from apps.organizations.models import OrgUnit
from apps.supervision import services


@shared_task
def send_reminders():
    """Hourly: one task per unit with open items or open rectifications, never one per person
    or item."""
    for unit_id in services.reminder_units():
        send_unit_reminders.delay(unit_id)


@shared_task
def send_unit_reminders(unit_id):
    unit = OrgUnit.objects.get(pk=unit_id)
    return services.send_unit_reminders(unit) + services.send_rectification_reminders(unit)
