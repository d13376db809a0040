"""走访: a representative logs a visit; a need she raises opens a case."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.liaison.models import Contact, Visit
from apps.liaison.services.cases import open_case
from apps.liaison.services.contacts import require_representative


@transaction.atomic
def log_visit(user, *, visited_on, mode, contacts, summary, needs=()):
    """走访: record a visit in a few taps; each need raised opens a case.

    ``needs`` are dicts with ``contact``, ``category`` and ``description``.
    """
    representative = require_representative(user)
    errors = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = _("A visit cannot be dated in the future.")
    contacts = list(contacts)
    if not contacts:
        errors["contacts"] = _("Choose at least one household.")
    elif any(contact.representative_id != representative.pk for contact in contacts):
        errors["contacts"] = _("You can only log visits to your own households.")
    if not summary or not summary.strip():
        errors["summary"] = _("Write a few words about the visit.")
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        unit=representative.unit,
        representative=representative,
        visited_on=visited_on,
        mode=mode,
        summary=summary.strip(),
    )
    visit.contacts.set(contacts)
    Contact.objects.filter(pk__in=[contact.pk for contact in contacts]).update(
        last_visited_on=Greatest("last_visited_on", Value(visited_on))
    )
    for need in needs:
        open_case(user, visit=visit, **need)
    return visit
