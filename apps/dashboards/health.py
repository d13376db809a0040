"""Health checks for load balancers and monitoring (``/healthz``).

Liveness answers without touching the database; the deep check asks the database, Redis and
django-celery-beat's record of the last scheduled run (``PeriodicTask.last_run_at``, written by
the DatabaseScheduler each time beat sends a task)."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

# Hourly reminders are the most frequent schedule: two hours without any run means beat is down.
BEAT_STALE_AFTER = timedelta(hours=2)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis():
    cache.set("healthz", "ok", timeout=10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("Redis did not return what was written")


def check_beat(now=None):
    from django.db.models import Max
    from django_celery_beat.models import PeriodicTask

    figures = PeriodicTask.objects.aggregate(last=Max("last_run_at"), since=Max("date_changed"))
    last = figures["last"]
    now = now or timezone.now()
    if last is None:
        # A fresh deployment, where nothing has fallen due yet (the first tasks run ten minutes
        # after beat starts): late only once its schedule has stood as long as a stale beat may.
        if figures["since"] is None or now - figures["since"] > BEAT_STALE_AFTER:
            raise RuntimeError("beat has never run a scheduled task")
        return
    if now - last > BEAT_STALE_AFTER:
        raise RuntimeError(f"beat last ran a scheduled task at {last.isoformat()}")


CHECKS = {"database": check_database, "redis": check_redis, "beat": check_beat}


def deep_check():
    """``{check: "ok" or the error}`` for every check; the beat check needs the database."""
    results = {}
    for name, check in CHECKS.items():
        if name == "beat" and results.get("database") != "ok":
            results[name] = "skipped: database unavailable"
            continue
        try:
            check()
        except Exception as error:  # noqa: BLE001 (any failure is the answer)
            # The answer is public: name the check and the error's kind, log the details.
            logger.warning("healthz: %s check failed", name, exc_info=True)
            results[name] = f"failed: {error.__class__.__name__}"
        else:
            results[name] = "ok"
    return results
