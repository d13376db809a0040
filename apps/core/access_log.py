"""Who read which sensitive record and when: written on every read, never changed."""


def record_access(user, obj, request=None):
    """Log that ``user`` opened ``obj`` (a household's details, a sensitive case …)."""
    from apps.core.models import AccessLog

    AccessLog.objects.create(
        user=user,
        record_type=obj._meta.label_lower,
        record_id=obj.pk,
        record_label=str(obj)[:200],
        path=(request.path if request else "")[:300],
    )
