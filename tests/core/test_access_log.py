"""The access log is evidence: the database refuses UPDATE, DELETE and TRUNCATE of it, and the
test suite's flush can still empty it."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from apps.core.access_log import record_access
from apps.core.models import AccessLog


@pytest.fixture
def entry(county_admin):
    record_access(county_admin, county_admin)
    return AccessLog.objects.get()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_accesslog SET record_label = 'changed'",
        "DELETE FROM core_accesslog",
        "TRUNCATE core_accesslog",
        "TRUNCATE accounts_user CASCADE",
    ],
)
def test_database_refuses_changing_the_log(entry, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Run the deferred foreign-key checks first: TRUNCATE refuses pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement)
    assert AccessLog.objects.get().record_label == entry.record_label


@pytest.mark.django_db(transaction=True)
def test_test_flush_still_empties_the_log(county_admin):
    record_access(county_admin, county_admin)
    call_command("flush", "--noinput", verbosity=0)
    assert not AccessLog.objects.exists()
