"""Scheduled objective work: thin tasks that take ids and call one service each."""

from celery import shared_task

from apps.objectives import services
from apps.objectives.models import ObjectivePlan
from apps.objectives.services import reminders


@shared_task
def score_open_plans():
    """Nightly: one task per plan, so a large county's plans score in parallel."""
    for plan_id in services.plans_to_score():
        score_plan.delay(plan_id)


@shared_task
def score_plan(plan_id):
    return services.score_plan(ObjectivePlan.objects.get(pk=plan_id))


@shared_task
def send_reminders():
    for plan_id in reminders.plans_to_remind():
        send_plan_reminders.delay(plan_id)


@shared_task
def send_plan_reminders(plan_id):
    return reminders.send_plan_reminders(
        ObjectivePlan.objects.select_related("unit").get(pk=plan_id)
    )
