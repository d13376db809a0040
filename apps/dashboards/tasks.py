"""Dashboard work on the Celery worker: thin tasks that call one service each."""

from celery import shared_task

from apps.dashboards import services


@shared_task
def refresh_rollups():
    """Nightly: rewrite this month's and last month's rollup rows (idempotent)."""
    return services.refresh_rollups()


@shared_task
def send_weekly_digest():
    """Weekly: the leaders' digest (once per leader and ISO week)."""
    return services.send_weekly_digest()
