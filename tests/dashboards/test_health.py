"""/healthz: liveness without the database; ?deep=1 checks the database, Redis and beat."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.dashboards import health


def _refuse_database(*args, **kwargs):
    raise OperationalError("the database is down")


def _beat_ran(ago):
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.update(last_run_at=None)
    PeriodicTask.objects.create(
        name="healthz probe", task="x", interval=every, last_run_at=timezone.now() - ago
    )


def test_liveness_answers_without_the_database(client, monkeypatch):
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", _refuse_database)
    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", _refuse_database)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_liveness_is_open_to_anonymous_callers_and_refuses_writes(client):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_deep_check_passes_when_everything_answers(client):
    _beat_ran(timedelta(minutes=30))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "beat": "ok"}


@pytest.mark.django_db
def test_deep_check_names_a_stale_beat(client):
    _beat_ran(timedelta(hours=3))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


@pytest.mark.django_db
def test_deep_check_names_a_beat_that_never_ran(client):
    PeriodicTask.objects.update(last_run_at=None, date_changed=timezone.now() - timedelta(hours=3))
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]


@pytest.mark.django_db
def test_a_fresh_schedule_nothing_has_fallen_due_in_yet_is_healthy(client):
    """Just deployed: the schedule was written minutes ago and no task has been due."""
    PeriodicTask.objects.update(last_run_at=None, date_changed=timezone.now())
    response = client.get("/healthz?deep=1")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["beat"] == "ok"


@pytest.mark.django_db
def test_deep_check_names_redis_when_it_is_away(client, monkeypatch):
    _beat_ran(timedelta(minutes=5))

    def redis_down(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr("apps.dashboards.health.cache.set", redis_down)
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["redis"] == "failed: ConnectionError"


def test_deep_check_names_the_database_when_it_is_away(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "database", _refuse_database)
    response = client.get("/healthz?deep=1")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["beat", "database"]
    assert body["checks"]["beat"].startswith("skipped")
    assert body["checks"]["database"] == "failed: OperationalError"
    assert "down" not in response.content.decode()
