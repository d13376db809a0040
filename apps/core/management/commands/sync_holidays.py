from django.core.management.base import BaseCommand

from apps.core.holidays import sync_package_days


class Command(BaseCommand):
    help = "Add holidays and 调休 working days from the chinesecalendar package to the calendar."

    def handle(self, *args, **options):
        sync_package_days()
        self.stdout.write("Holiday calendar synchronised.")
