from django.core.management.base import BaseCommand, CommandError

from apps.assessment import services
from apps.assessment.models import AssessmentScheme, Round


class Command(BaseCommand):
    help = "Score assessment schemes now (what the nightly job does). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--scheme", type=int, help="only this scheme id")
        parser.add_argument("--round", choices=Round.values, help="this round, not the current")

    def handle(self, *args, **options):
        schemes = AssessmentScheme.objects.filter(pk__in=services.schemes_to_score())
        if options["scheme"]:
            schemes = schemes.filter(pk=options["scheme"])
        if not schemes.exists():
            raise CommandError("No scheme of an open period matches.")
        for scheme in schemes:
            round_ = options["round"] or services.current_round(scheme)
            if round_ is None:
                self.stdout.write(f"{scheme}: every round is approved.")
                continue
            written = services.score_scheme(scheme, round_)
            self.stdout.write(f"Scored {scheme}, round {round_} ({written} results).")
