"""Request bodies the database can store, refused with a message per field otherwise.

JSON may carry text PostgreSQL cannot hold: a lone UTF-16 surrogate (``"\\ud800"``) or a NUL
character. Left in, it reaches a serializer that echoes it in an error (the response then cannot
be encoded) or a query that PostgreSQL rejects: a 500 either way. Refusing it here, as the body is
parsed, covers every field of every endpoint at once. Form and multipart bodies and query strings
cannot produce a lone surrogate (Django decodes them with replacement characters), but a NUL can
arrive by any of them, so every parser here checks the same way.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

UNSTORABLE_TEXT = _("Contains characters that cannot be stored (a NUL or a lone surrogate).")


def is_storable(text):
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_fields(data, path=""):
    """Dotted paths (``rubric.0.label``) of every string in ``data`` that cannot be stored;
    a bad key counts against the object that holds it."""
    if isinstance(data, str):
        return [] if is_storable(data) else [path or "non_field_errors"]
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            key_text = str(key)
            if not is_storable(key_text):
                found.append(path or "non_field_errors")
                continue
            found += unstorable_fields(value, f"{path}.{key_text}" if path else key_text)
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found += unstorable_fields(value, f"{path}.{index}" if path else str(index))
    return found


def refuse_unstorable_form(data):
    """The same for a QueryDict (form fields, multipart fields, the query string)."""
    fields = [key for key in data if not all(is_storable(v) for v in [key, *data.getlist(key)])]
    if fields:
        raise exceptions.ValidationError({field: [UNSTORABLE_TEXT] for field in fields})
    return data


def refuse_unstorable(data):
    """Raise a 400 naming each field whose text cannot be stored; return ``data`` otherwise."""
    fields = unstorable_fields(data)
    if fields:
        raise exceptions.ValidationError({field: [UNSTORABLE_TEXT] for field in fields})
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_unstorable(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_unstorable_form(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_unstorable_form(result.data)
        return result
