"""The domestic-violence pathway's badge and link on a sensitive case's page (liaison's
case detail shows it without reading coordination's tables itself)."""

from django import template

from apps.coordination.models import WarningLetter
from apps.coordination.services import CLOSER_FOLLOW_UP_LETTERS

register = template.Library()


@register.inclusion_tag("coordination/includes/pathway_link.html", takes_context=True)
def pathway_link(context, case):
    """For a sensitive case the user may open: how many warning letters, whether the family is
    marked for closer follow-up, and the link to the pathway page. One query."""
    user = context["request"].user
    letters = 0
    if case.is_sensitive:
        letters = WarningLetter.objects.for_user(user).filter(case=case).count()
    return {
        "case": case,
        "letters": letters,
        "closer_follow_up": letters >= CLOSER_FOLLOW_UP_LETTERS,
    }
