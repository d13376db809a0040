"""API errors as JSON with a message per field, whichever layer raised them."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler


class InUse(exceptions.APIException):
    """A delete refused because other records still point at the object."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "in_use"


def in_use_message(error):
    """What a ProtectedError/RestrictedError means to a person: which kinds of records still
    use the object (by their translated names, never by their contents)."""
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.args[1]})
    return _("This cannot be deleted while it is used by %(kinds)s.") % {
        "kinds": get_text_list(kinds, _("and"))
    }


def field_error_handler(exc, context):
    # Services raise Django's ValidationError; the API reports it like a serializer error.
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                field: [str(m) for m in messages] for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    # A delete that foreign keys refuse is the caller's conflict, not a server error.
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = InUse({"non_field_errors": [in_use_message(exc)]})
    return exception_handler(exc, context)
