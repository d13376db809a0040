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


SEARCH = "search"


def record_search(user, model, query, result_count, request=None):
    """Log that ``user`` searched ``model`` over parts lists show masked. Only what an audit
    needs is kept: what was searched for, where, and how many rows matched (in ``record_id``),
    not which rows nor anything read from them."""
    from apps.core.models import AccessLog

    AccessLog.objects.create(
        user=user,
        record_type=SEARCH,
        record_id=result_count,
        record_label=f"{model._meta.label_lower} q={query[:150]} → {result_count}",
        path=(request.path if request else "")[:300],
    )
