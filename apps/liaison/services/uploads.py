"""Records made on a phone carry a client id (a UUID made there): the phone may upload the same
record twice (its first answer was lost, or it retried while the first upload still ran), and
the second upload must find the first record, never make a second one.

The rule, for visits, cases and follow-ups alike: a client id already stored answers with the
stored record when it is the caller's own, and is refused (with no word about the record) when
it is someone else's. Two uploads racing each other meet at the unique constraint: the loser's
insert fails inside a savepoint and it reads the winner's row instead.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.liaison.models import Case, FollowUp, Visit

# Who owns a stored record, per model: the user whose upload it was.
OWNER_FIELDS = {
    Visit: "representative__user_id",
    Case: "representative__user_id",
    FollowUp: "author_id",
}


def as_client_id(value):
    """The UUID ``value`` names, or None when it names none (the serializer or form reports the
    bad value itself)."""
    if value in (None, ""):
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def stored_upload(model, user, client_id, *, belongs=None):
    """The ``model`` record stored under ``client_id`` when it is ``user``'s own; None when no
    record carries it. Someone else's record (or, with ``belongs``, one of the user's own that
    fails that check, e.g. a follow-up of another case) is refused with a ValidationError that
    says nothing about it."""
    client_id = as_client_id(client_id)
    if client_id is None:
        return None
    row = model.objects.filter(client_id=client_id).values("pk", OWNER_FIELDS[model]).first()
    if row is None:
        return None
    if row[OWNER_FIELDS[model]] != user.pk:
        raise _foreign()
    record = model.objects.get(pk=row["pk"])
    if belongs is not None and not belongs(record):
        raise _foreign()
    record.replayed = True
    return record


def create_once(model, user, client_id, create, *, belongs=None):
    """Run ``create()`` (which must save a ``model`` row carrying ``client_id``) unless that id
    is stored already; answer with the record, ``record.replayed`` saying which it was.

    Call it inside a transaction: the insert runs in a savepoint, so a concurrent upload of the
    same id that commits first turns the unique-constraint error into a read of its row."""
    client_id = as_client_id(client_id)
    if client_id is None:
        record = create()
        record.replayed = False
        return record
    stored = stored_upload(model, user, client_id, belongs=belongs)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            record = create()
    except IntegrityError:
        stored = stored_upload(model, user, client_id, belongs=belongs)
        if stored is None:
            raise
        return stored
    record.replayed = False
    return record


def _foreign():
    return ValidationError(
        {"client_id": _("This record id is already used by another record; it cannot be reused.")}
    )
