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
from apps.liaison.services.uploads import create_once


@transaction.atomic
def log_visit(user, *, visited_on, mode, contacts, summary, needs=(), client_id=None):
    """走访: record a visit in a few taps; each need raised opens a case.

    ``needs`` are dicts with ``contact``, ``category`` and ``description``. A visit made on
    the phone carries its ``client_id``: uploading it again answers with the visit stored the
    first time (``visit.replayed``), checked before anything else, so a household moved to
    another representative since does not turn the repeat into an error.
    """
    representative = require_representative(user)
    return create_once(
        Visit,
        user,
        client_id,
        lambda: _log_visit(
            user,
            representative,
            visited_on=visited_on,
            mode=mode,
            contacts=contacts,
            summary=summary,
            needs=needs,
            client_id=client_id,
        ),
    )


def _log_visit(user, representative, *, visited_on, mode, contacts, summary, needs, client_id):
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
        client_id=client_id,
    )
    visit.contacts.set(contacts)
    Contact.objects.filter(pk__in=[contact.pk for contact in contacts]).update(
        last_visited_on=Greatest("last_visited_on", Value(visited_on))
    )
    for need in needs:
        open_case(user, visit=visit, **need)
    return visit
