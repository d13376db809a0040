from django.core.management.base import BaseCommand, CommandError

from apps.objectives import services
from apps.objectives.models import ObjectivePlan


class Command(BaseCommand):
    help = "Score objective plans now (what the nightly job does). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, help="only the plans of this period id")
        parser.add_argument("--plan", type=int, help="only this plan id")

    def handle(self, *args, **options):
        plans = ObjectivePlan.objects.filter(pk__in=services.plans_to_score())
        if options["period"]:
            plans = plans.filter(period_id=options["period"])
        if options["plan"]:
            plans = plans.filter(pk=options["plan"])
        if not plans.exists():
            raise CommandError("No published plan of an open period matches.")
        for plan in plans:
            services.score_plan(plan)
            self.stdout.write(f"Scored {plan} ({plan.scores.count()} scores).")
