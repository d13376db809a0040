"""Production serves requests as a database role that cannot change the access log: the deploy
check refuses a superuser, the log's owner, or a role with UPDATE/DELETE/TRUNCATE on it, and
migration 0003 leaves roles other than the owner only SELECT and INSERT on it."""

from importlib import import_module

import pytest
from django.db import DatabaseError, connection, transaction

from apps.core.access_log import record_access
from apps.core.checks import database_role_errors


def test_deploy_check_reports_a_superuser_connection(db):
    # The tests connect as the PostgreSQL superuser, which also may change the log.
    ids = {error.id for error in database_role_errors()}
    assert {"core.E011", "core.E013"} <= ids


@pytest.fixture
def app_role(db):
    """A role like the one production serves requests with, granted what the owner's default
    privileges give it (docker/postgres-init); gone with the test's transaction."""
    role = f"{connection.settings_dict['NAME']}_app"[:60]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return role


def act_as(role):
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}" if role else "RESET ROLE")


def test_log_is_insert_only_for_the_application_role(app_role, county_admin):
    act_as(app_role)
    assert {error.id for error in database_role_errors()} == {"core.E013"}

    act_as(None)  # the migration runs as the owner
    with connection.cursor() as cursor:
        cursor.execute(migration_sql("0003_access_log_insert_only_for_others"))
    act_as(app_role)
    assert database_role_errors() == []
    record_access(county_admin, county_admin)
    for statement in ("UPDATE core_accesslog SET path = ''", "TRUNCATE core_accesslog"):
        with (
            pytest.raises(DatabaseError, match="permission denied"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def migration_sql(name):
    return import_module(f"apps.core.migrations.{name}").Migration.operations[0].sql
