"""Liaison work on the Celery worker: thin tasks that take ids and call one service each."""

from celery import shared_task

from apps.liaison.services import reminders, roster
from apps.organizations.models import OrgUnit


@shared_task(bind=True)
def run_roster_import(self, roster_import_id):
    # The task id is the claim: a redelivery of the same message resumes the same import.
    return roster.run_import(roster_import_id, claim=self.request.id)


@shared_task
def send_reminders():
    """Hourly: one task per township, never one per person."""
    for township_id in reminders.townships_to_remind():
        send_township_reminders.delay(township_id)


@shared_task
def send_township_reminders(township_id):
    return reminders.send_township_reminders(OrgUnit.objects.get(pk=township_id))
