"""Checking uploaded files by what they contain, not by what they are called, and keeping
them where no URL reaches them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

# What evidence may be: scans, photos and office documents.
EVIDENCE_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}


def sniff_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=MAX_EVIDENCE_BYTES):
    """Return the content type of ``upload`` read from its first bytes; refuse anything too
    large or of a type not in ``allowed`` (an executable renamed .pdf is still an executable)."""
    import filetype

    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(max)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(max_bytes),
            }
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in allowed:
        raise ValidationError(
            _("“%(name)s” is not an accepted file. Accepted: %(types)s.")
            % {"name": upload.name, "types": ", ".join(sorted(set(allowed.values())))}
        )
    return kind.mime


def private_storage():
    """Uploaded evidence under MEDIA_ROOT with no public URL: views stream it after a scope
    check. A callable, so tests and deployments can move MEDIA_ROOT."""
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


def check_uploads(files):
    """Each upload with its content type; raises before anything is saved if one is refused.
    Every refusal is reported on the ``files`` field, where the forms and the API show it."""
    checked, errors = [], []
    for upload in files or ():
        try:
            checked.append((upload, sniff_upload(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked
