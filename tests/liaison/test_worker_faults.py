"""Faults on the real services: a worker process killed in the middle of a roster import."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.core.files.storage import FileSystemStorage
from django.db import connection

from apps.liaison.models import Representative, RosterImport
from federation.settings import servers
from tests.conftest import wait_for
from tests.liaison.test_roster import line, roster_file
from tests.redis_server import PrivateRedis

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(private_redis, tmp_path):
    """``start_worker(name, **env)``: a `celery worker` process on the private Redis and the
    test database; every worker still running is stopped at the end."""
    workers = []

    def _start(name, **env):
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.liaison.roster_worker", name],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "federation.settings.test",
                "DATABASE_URL": servers.database_url(connection.settings_dict),
                "REDIS_URL": private_redis.url,
                "MEDIA_ROOT": str(tmp_path / "media"),
                **env,
            },
        )
        workers.append(worker)
        return worker

    yield _start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()


@pytest.mark.worker
def test_an_import_whose_worker_is_killed_mid_run_is_finished_by_the_next_worker(
    transactional_db, county, township_a_staff, private_redis, start_worker, tmp_path, monkeypatch
):
    field = RosterImport._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "media"))
    upload = roster_file([line(f"K{n:03d}", county.village_a1) for n in range(40)])
    roster_import = RosterImport.objects.create(
        unit=county.township_a, file=upload, original_name=upload.name, created_by=township_a_staff
    )
    # Not the process's current app: the project's tasks, called by later tests, would be
    # looked up in this one's empty registry.
    broker = Celery(broker=private_redis.url, set_as_current=False)
    broker.send_task(
        "apps.liaison.tasks.run_roster_import", args=[roster_import.pk], task_id="roster-task-1"
    )

    first = start_worker("first", SLOW_ROSTER="1")
    mid_run = wait_for(
        lambda: RosterImport.objects.filter(pk=roster_import.pk, processed_rows__gt=0).exists(),
        timeout=90,
    )
    assert mid_run, "the first worker never started the import"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.RUNNING

    start_worker("second", FAST_RESTORE="1")
    finished = wait_for(
        lambda: RosterImport.objects.filter(
            pk=roster_import.pk, status__in=[RosterImport.Status.DONE, RosterImport.Status.FAILED]
        ).first(),
        timeout=90,
    )

    assert finished is not None, "the import was left running"
    assert (finished.status, finished.imported_rows) == (RosterImport.Status.DONE, 40)
    assert finished.claimed_by == "roster-task-1"
    assert Representative.objects.filter(unit=county.village_a1).count() == 40
    broker.close()
