"""Households and their representative: who represents whom, how often each household is
visited, and which are due a visit."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.liaison.deadlines import HOUSEHOLDS
from apps.liaison.models import DEFAULT_VISIT_DAYS, Contact, Representative, VisitInterval


def representative_of(user):
    """The user's active representative record, or None."""
    return (
        Representative.objects.filter(user=user, is_active=True)
        .select_related("unit__parent")
        .first()
    )


def visit_intervals():
    """Days between visits for each risk colour: as configured, else the defaults."""
    return {**DEFAULT_VISIT_DAYS, **dict(VisitInterval.objects.values_list("risk", "days"))}


def require_representative(user):
    """The user's active representative record; anyone else is refused."""
    representative = representative_of(user)
    if representative is None:
        raise PermissionDenied(_("Only an active representative can log visits and cases."))
    return representative


def contacts_due(today=None, queryset=None):
    """Households overdue for a visit by their risk colour's interval (the engine's rule)."""
    today = today or timezone.localdate()
    queryset = queryset if queryset is not None else Contact.objects.all()
    return queryset.filter(HOUSEHOLDS.due_by_filter(today))
