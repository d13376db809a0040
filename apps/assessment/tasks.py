"""Scheduled assessment work: thin tasks that take ids and call one service each."""

from celery import chord, shared_task

from apps.assessment import services
from apps.assessment.models import AssessmentScheme
from apps.organizations.models import OrgUnit


@shared_task
def score_open_schemes():
    """Nightly: one task per scheme of an open period, each rescoring its current round."""
    for scheme_id in services.schemes_to_score():
        score_scheme.delay(scheme_id)


@shared_task
def score_scheme(scheme_id, round_=None):
    """A scheme's current round; a large one (a province's 执委) in parts, one task per unit
    under its owner that several workers share, then one ranking of the whole round."""
    scheme = AssessmentScheme.objects.select_related("unit").get(pk=scheme_id)
    round_ = round_ or services.current_round(scheme)
    if not round_:
        return 0
    parts = services.scoring_parts(scheme)
    if not parts:
        return services.score_scheme(scheme, round_)
    chord(score_scheme_part.si(scheme_id, round_, unit_id) for unit_id in parts)(
        rank_round.si(scheme_id, round_)
    )
    return None


@shared_task
def score_scheme_part(scheme_id, round_, unit_id):
    scheme = AssessmentScheme.objects.get(pk=scheme_id)
    return services.score_scheme(scheme, round_, under=OrgUnit.objects.get(pk=unit_id))


@shared_task
def rank_round(scheme_id, round_):
    return services.rank_round(AssessmentScheme.objects.get(pk=scheme_id), round_)
