from django.core.management.base import BaseCommand

from federation import embedded


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL and Redis started when DATABASE_URL / REDIS_URL are unset."

    def handle(self, *args, **options):
        stopped = embedded.stop_all()
        self.stdout.write(f"Stopped: {', '.join(stopped) or 'nothing was running'}")
