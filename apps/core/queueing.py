"""Queuing follow-up work on the Celery broker without letting a broker outage fail a request.

Work a request has committed is done: the e-mail it triggers, the import it starts, are
follow-ups. If Redis is down when they are queued, the request still answers success; the
failure is logged and something else picks the work up later (the e-mail outbox task retries
every 10 minutes; a roster import that could not be queued is marked as such).
"""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def queue(task, *args, on_failure=None):
    """``task.delay(*args)`` now; True when queued. A broker error is logged, ``on_failure``
    (if given) is called, and False is returned instead of raising."""
    try:
        task.delay(*args)
    # Celery raises kombu's OperationalError for a broker that is down, but a broken connection
    # surfaces in several other types too; none of them may undo committed work.
    except Exception as error:
        logger.warning("Could not queue %s%r (%s); it is left for later", task.name, args, error)
        if on_failure is not None:
            on_failure()
        return False
    return True


def queue_on_commit(task, *args, on_failure=None):
    """``queue`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(queue, task, *args, on_failure=on_failure))
