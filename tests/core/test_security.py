"""Headers and settings an assessor checks: CSP without inline code, production refusals."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from federation.settings import servers

ROOT = Path(settings.BASE_DIR)


def test_csp_header_forbids_inline_scripts(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'self'" in policy


def test_templates_have_no_inline_scripts_or_styles():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text):
            offenders.append(str(template.relative_to(ROOT)))
        if re.search(r"(src|href)=\"(https?:)?//", text):
            offenders.append(f"{template.relative_to(ROOT)} loads from the internet")
    assert offenders == []


def run_manage(*args, env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # Production refuses to start without a Redis URL; the tests' Redis (the embedded one's
    # socket when REDIS_URL is unset) stands in: no command run here connects to it.
    env.setdefault("REDIS_URL", settings.CELERY_BROKER_URL)
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="federation.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.fixture
def app_role_url(transactional_db):
    """A database URL for a plain login role, like the one production serves requests with
    (not a superuser, owns nothing, holds no rights on the access log)."""
    from django.db import connection

    role = f"{connection.settings_dict['NAME']}_web"[:60]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    yield database_url_for_tests(role)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE {role}")


def database_url_for_tests(role=None):
    """The test database's URL, signing in as ``role`` (default: the tests' own role)."""
    from django.db import connection

    database = connection.settings_dict
    return servers.database_url({**database, "USER": role, "PASSWORD": ""} if role else database)


def deploy_check(database_url):
    return run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "SECRET_KEY": "a-long-random-production-secret-" + "x9Qz" * 10,
            "ALLOWED_HOSTS": "fulian.example.gov.cn",
            "DATABASE_URL": database_url,
        },
    )


def test_production_settings_pass_deploy_check(app_role_url):
    result = deploy_check(app_role_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_refuses_a_superuser_database_role(transactional_db):
    result = deploy_check(database_url_for_tests())
    assert result.returncode != 0
    assert "core.E011" in result.stderr + result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    present = {"SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "fulian.example.gov.cn"}
    present.pop(missing)
    result = run_manage("check", env_overrides=present)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_migrate_signs_in_with_the_owner_url(transactional_db):
    """Only ``migrate`` uses MIGRATE_DATABASE_URL: here DATABASE_URL names no database at all."""
    result = run_manage(
        "migrate",
        "--check",
        env_overrides={
            "SECRET_KEY": "s" * 60,
            "ALLOWED_HOSTS": "fulian.example.gov.cn",
            "DATABASE_URL": database_url_for_tests().rsplit("/", 1)[0] + "/no_such_database",
            "MIGRATE_DATABASE_URL": database_url_for_tests(),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
