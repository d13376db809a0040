from django.core.management.base import BaseCommand, CommandError

from apps.dashboards import services
from apps.organizations.models import Period


class Command(BaseCommand):
    help = (
        "Rewrite the dashboards' rollups now: this month and the last, and the objective lights "
        "of open periods (what the nightly job does), or every month and the objective lights of "
        "the given or open periods (a backfill). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, action="append", help="a period id (repeat)")
        parser.add_argument("--open", action="store_true", help="every month of open periods")

    def handle(self, *args, **options):
        if options["period"]:
            periods = Period.objects.filter(pk__in=options["period"])
            if periods.count() != len(set(options["period"])):
                raise CommandError("No such period.")
            written = services.rebuild_for_periods(periods)
        elif options["open"]:
            written = services.rebuild_for_periods(Period.objects.filter(is_closed=False))
        else:
            written = services.refresh_rollups()
        self.stdout.write(f"Wrote {written} rollup rows.")
