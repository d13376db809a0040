"""Settings: production refuses to guess its servers; only local and test runs start embedded
ones, and importing the shared base starts nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from federation.settings import servers

ROOT = Path(__file__).resolve().parent.parent.parent


def load_settings(module, **env):
    """Import ``module`` in a fresh interpreter without the server URLs; its output and code."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    code = (
        "import importlib, sys; from federation import embedded; "
        "embedded.postgres_settings = embedded.redis_socket = "
        "lambda: sys.exit('an embedded server was started'); "
        f"importlib.import_module({module!r}); print('loaded')"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_its_servers(missing):
    env = {
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://app@db:5432/federation",
        "REDIS_URL": "redis://redis:6379/0",
    }
    del env[missing]

    result = load_settings("federation.settings.production", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} must be set in production." in result.stderr
    assert "an embedded server was started" not in result.stderr


def test_production_with_both_urls_uses_them():
    result = load_settings(
        "federation.settings.production",
        SECRET_KEY="s" * 50,
        ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://app@db:5432/federation",
        REDIS_URL="redis://redis:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


def test_importing_base_starts_no_embedded_server():
    result = load_settings("federation.settings.base")
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


def test_local_settings_start_the_embedded_servers_when_no_url_is_set():
    result = load_settings("federation.settings.local")
    assert "an embedded server was started" in result.stderr


@pytest.mark.django_db
def test_sessions_compile_no_statement():
    """JIT compiling cost the nightly scoring more than the statements it compiled."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_session_options_keep_those_the_url_gives():
    databases, _broker, _caches = servers.from_urls(
        "postgres://app@db:5432/federation?sslmode=require", "redis://redis:6379/0"
    )
    assert databases["default"]["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}


def test_a_database_is_handed_to_another_process_as_a_url_that_reads_back_the_same():
    """Over TCP, and on the embedded server's socket directory (a path in the host)."""
    for host, port in (("127.0.0.1", 5432), ("/srv/federation/var/postgres", "")):
        database = {"NAME": "federation", "USER": "app", "PASSWORD": "p@ss:/word", "HOST": host}
        url = servers.database_url({**database, "PORT": port}, name="federation_bench_7")
        parsed = servers.from_urls(url, "redis://r:6379/0")[0]["default"]
        assert {key: parsed[key] for key in database} == {**database, "NAME": "federation_bench_7"}
        assert parsed["PORT"] == 5432
