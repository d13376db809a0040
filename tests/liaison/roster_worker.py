"""A real Celery worker process for tests/liaison/test_worker_faults.py, which kills it mid-task.

``python -m tests.liaison.roster_worker NAME`` runs a solo worker on the broker in REDIS_URL.
With SLOW_ROSTER=1 the roster import reports progress every 5 rows and dawdles after each
report, so a test can catch it mid-run. With FAST_RESTORE=1 the worker hands out the tasks of
a dead worker after 2 seconds instead of the configured visibility timeout.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings.test")
django.setup()

from federation.celery import app  # noqa: E402

if os.environ.get("SLOW_ROSTER"):
    from apps.liaison.services import roster

    report_progress = roster._report_progress

    def slow_progress(roster_import, processed_rows):
        report_progress(roster_import, processed_rows)
        time.sleep(0.5)

    roster.PROGRESS_EVERY = 5
    roster._report_progress = slow_progress

if os.environ.get("FAST_RESTORE"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": 2,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }

app.worker_main(
    [
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname={sys.argv[1]}@%h",
    ]
)
