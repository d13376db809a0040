"""Scheduled assessment work: thin tasks that take ids and call one service each."""

from celery import shared_task

from apps.assessment import services
from apps.assessment.models import AssessmentScheme


@shared_task
def score_open_schemes():
    """Nightly: one task per scheme of an open period, each rescoring its current round."""
    for scheme_id in services.schemes_to_score():
        score_scheme.delay(scheme_id)


@shared_task
def score_scheme(scheme_id, round_=None):
    scheme = AssessmentScheme.objects.get(pk=scheme_id)
    round_ = round_ or services.current_round(scheme)
    return len(services.score_scheme(scheme, round_)) if round_ else 0
