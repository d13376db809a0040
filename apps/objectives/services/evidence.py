"""Evidence files, once apps.core.uploads.check_uploads has checked them: stored privately."""

from apps.objectives.models import Evidence


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
