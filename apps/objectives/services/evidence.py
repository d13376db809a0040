"""Evidence files: checked by content before anything is written, then stored privately."""

from django.core.exceptions import ValidationError

from apps.core.uploads import sniff_upload
from apps.objectives.models import Evidence


def check_uploads(files):
    """Each upload with its content type; raises before anything is saved if one is refused.
    Every refusal is reported on the ``files`` field, where the form and the API show it."""
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, sniff_upload(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def attach_evidence(checked, user, **owner):
    """Store checked uploads against ``owner`` (report= or innovation_item=)."""
    for upload, content_type in checked:
        Evidence.objects.create(
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
            **owner,
        )
