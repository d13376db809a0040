"""Reads that may go to a read replica (DATABASE_REPLICA_URL): only those a view marks with
``reading_from_replica()``, the dashboards' — figures a few seconds behind are fine there, and
nothing else risks reading its own write before the replica has it."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_replica_reads = ContextVar("replica_reads", default=False)


@contextmanager
def reading_from_replica():
    """Send the ORM's reads in this block to the replica, when one is configured."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
