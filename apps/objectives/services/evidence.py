"""Evidence files: checked by content before anything is written, then stored privately."""

from apps.core.uploads import sniff_upload
from apps.objectives.models import Evidence


def check_uploads(files):
    """Each upload with its content type; raises before anything is saved if one is refused."""
    return [(upload, sniff_upload(upload)) for upload in files]


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
