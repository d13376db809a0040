"""``manage.py bench`` at a tiny scale: it runs, ends with its JSON line, and drops its
database."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_bench_runs_prints_its_figures_and_drops_its_database():
    out, err = StringIO(), StringIO()
    call_command("bench", "--scale", "tiny", "--requests", "8", stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    figures = json.loads(lines[-1])
    for key in (
        "scale",
        "load_s",
        "floor_p95_ms",
        "dashboard_p95_ratio",
        "list_p95_ratio",
        "queries_equal",
        "scoring_s",
        "scoring_speedup",
        "nightly_s",
    ):
        assert key in figures
    assert figures["scale"] == "tiny"
    assert figures["queries_equal"] is True
    # The dashboard under gunicorn reads kept panels; in process it is timed both ways.
    assert figures["dashboard_cold_ms"] > 0 and figures["dashboard_warm_ms"] > 0
    assert any("building its kept panels" in line for line in lines)
    # Every page reads rows: a count of none would be a capture that saw nothing.
    assert all(page["queries"] > 0 for page in figures["pages"].values())
    # The plans and schemes are in the data set: the night scores them.
    nightly = figures["nightly"]
    assert set(nightly) == {"objective_scoring", "assessment_scoring", "rollups", "reminders"}
    assert figures["nightly_workers"] >= 1
    assert nightly["objective_scoring"]["rows"] > 100
    assert nightly["assessment_scoring"]["rows"] > 0
    # The per-row yardstick writes exactly the set-based numbers, on the same plan.
    compared = figures["scoring_compared"]
    assert compared["scores"] > 0
    assert compared["largest_difference"] == 0
    assert "case_list" in lines[-2] or any("case_list" in line for line in lines)
    assert "households" in err.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [figures["database"]])
        assert cursor.fetchone() is None
    assert connection.settings_dict["NAME"] != figures["database"]


def test_the_nightly_tasks_run_in_worker_processes_in_order():
    from apps.core.bench import Workers

    answers = Workers(2).run("os.path.join", [("a", "b"), ("c", "d"), ("e", "f")])
    assert answers == ["a/b", "c/d", "e/f"]
    pids = Workers(2).run("os.getpid", [(), (), ()])
    assert os.getpid() not in pids


def test_the_bench_database_url_reaches_a_server_on_a_socket_directory(monkeypatch):
    """The embedded PostgreSQL listens on a socket in a directory; gunicorn, started with the
    bench database's URL, must reach that server and that database."""
    import dj_database_url

    from apps.core.bench import BenchDatabase

    settings_dict = connection.settings_dict
    monkeypatch.setitem(settings_dict, "HOST", "/srv/federation/var/postgres")
    monkeypatch.setitem(settings_dict, "PORT", "")
    monkeypatch.setitem(settings_dict, "USER", "postgres")
    monkeypatch.setitem(settings_dict, "PASSWORD", "")
    database = BenchDatabase()
    parsed = dj_database_url.parse(database.url())
    assert parsed["HOST"] == "/srv/federation/var/postgres"
    assert (parsed["NAME"], parsed["USER"], parsed["PORT"]) == (database.name, "postgres", 5432)
