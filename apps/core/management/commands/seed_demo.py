from django.core.management.base import BaseCommand
from django.db import transaction

from apps.core import demo


class Command(BaseCommand):
    help = "Build (or bring up to date) the demo county and its five demo accounts. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-activity",
            action="store_true",
            help="only the county, its units, periods and accounts: no year of activity",
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            demo.seed_all(
                log=lambda message: self.stdout.write(message), activity=not options["no_activity"]
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
