"""Liaison work on the Celery worker: thin tasks that take ids and call one service each."""

from celery import shared_task

from apps.liaison.services import reminders, roster
from apps.organizations.models import OrgUnit


@shared_task
def run_roster_import(roster_import_id):
    return roster.run_import(roster_import_id)


@shared_task
def send_reminders():
    """Hourly: one task per township, never one per person."""
    for township_id in reminders.townships_to_remind():
        send_township_reminders.delay(township_id)


@shared_task
def send_township_reminders(township_id):
    return reminders.send_township_reminders(OrgUnit.objects.get(pk=township_id))
