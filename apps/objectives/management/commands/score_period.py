from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from apps.objectives import services
from apps.objectives.models import ObjectivePlan
from apps.organizations.models import Period


class Command(BaseCommand):
    help = "Score objective plans now (what the nightly job does). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, help="only the plans of this period id")
        parser.add_argument("--plan", type=int, help="only this plan id")

    def handle(self, *args, **options):
        closed = ObjectivePlan.objects.filter(
            Q(status=ObjectivePlan.Status.CLOSED) | Q(period__is_closed=True)
        )
        period = options["period"]
        if period and Period.objects.filter(pk=period, is_closed=True).exists():
            raise CommandError("The period is closed: its scores are frozen and not recomputed.")
        if options["plan"] and closed.filter(pk=options["plan"]).exists():
            raise CommandError("The plan is closed: its scores are frozen and not recomputed.")
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
