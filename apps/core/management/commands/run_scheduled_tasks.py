from django.core.management.base import BaseCommand

from apps.core import schedules
from federation.celery import app


class Command(BaseCommand):
    help = (
        "Queue every default scheduled task now (scoring, reminders …) instead of waiting for beat."
    )

    def handle(self, *args, **options):
        for name, task in schedules.default_tasks():
            app.send_task(task)
            self.stdout.write(f"Queued {name}")
