"""Coordination work on the Celery worker: thin tasks that take ids and call one service each."""

from celery import shared_task

from apps.coordination import services
from apps.organizations.models import OrgUnit


@shared_task
def send_reminders():
    """Hourly: one task per department with a referral or a joint-meeting decision past its
    deadline, never one per referral."""
    for department_id in services.departments_to_remind():
        send_department_reminders.delay(department_id)


@shared_task
def send_department_reminders(department_id):
    return services.send_department_reminders(OrgUnit.objects.get(pk=department_id))
