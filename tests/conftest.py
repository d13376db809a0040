"""Personas every test can ask for by name.

The county has two townships, A and B; A has villages A1 and A2, B has village B1; one
department hangs under the county. Each persona holds one role in one of those units.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Membership, User
from apps.core.deadlines import clear_calendar_cache
from apps.core.roles import Role
from apps.organizations.models import OrgUnit


def allow_truncate_in_flush():
    """The access log refuses TRUNCATE unless the transaction allows it (apps/core/migrations/
    0002). Django's ``flush``, which empties the database after each transactional test with one
    TRUNCATE of every table, allows it here, in the test suite only; a ``manage.py flush`` of a
    real database is still refused."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    sql_flush = DatabaseOperations.sql_flush
    if getattr(sql_flush, "allows_truncate", False):
        return

    def sql_flush_allowing_truncate(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        # flush runs the statements in one transaction, so SET LOCAL covers exactly them.
        return ["SET LOCAL federation.allow_truncate = on", *statements] if statements else []

    sql_flush_allowing_truncate.allows_truncate = True
    DatabaseOperations.sql_flush = sql_flush_allowing_truncate


allow_truncate_in_flush()


@dataclass
class County:
    county: OrgUnit
    township_a: OrgUnit
    township_b: OrgUnit
    village_a1: OrgUnit
    village_a2: OrgUnit
    village_b1: OrgUnit
    department: OrgUnit


def make_unit(name, code, kind, parent=None):
    return OrgUnit.objects.create(name=name, code=code, kind=kind, parent=parent)


def make_user(username, role, unit):
    user = User.objects.create_user(username=username, password="pw-for-tests", full_name=username)
    Membership.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def county(db):
    root = make_unit("测试县", "100", OrgUnit.Kind.COUNTY)
    township_a = make_unit("甲镇", "100101", OrgUnit.Kind.TOWNSHIP, root)
    township_b = make_unit("乙镇", "100102", OrgUnit.Kind.TOWNSHIP, root)
    return County(
        county=root,
        township_a=township_a,
        township_b=township_b,
        village_a1=make_unit("甲一村", "100101001", OrgUnit.Kind.VILLAGE, township_a),
        village_a2=make_unit("甲二村", "100101002", OrgUnit.Kind.VILLAGE, township_a),
        village_b1=make_unit("乙一村", "100102001", OrgUnit.Kind.VILLAGE, township_b),
        department=make_unit("县教育局", "100901", OrgUnit.Kind.DEPARTMENT, root),
    )


@pytest.fixture
def county_admin(county):
    return make_user("county_admin", Role.COUNTY_ADMIN, county.county)


@pytest.fixture
def leader(county):
    return make_user("leader", Role.LEADER, county.county)


@pytest.fixture
def township_a_staff(county):
    return make_user("township_a_staff", Role.TOWNSHIP_STAFF, county.township_a)


@pytest.fixture
def village_a1_rep(county):
    return make_user("village_a1_rep", Role.VILLAGE_REP, county.village_a1)


@pytest.fixture
def village_b1_rep(county):
    return make_user("village_b1_rep", Role.VILLAGE_REP, county.village_b1)


@pytest.fixture
def dept_liaison(county):
    return make_user("dept_liaison", Role.DEPT_LIAISON, county.department)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """``api_as(user)``: an API client authenticated as ``user``."""

    def _as(user):
        api_client.force_authenticate(user)
        return api_client

    return _as


@pytest.fixture
def client_as(client):
    """``client_as(user)``: the Django test client signed in as ``user``."""

    def _as(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _as


@pytest.fixture
def seed_demo():
    """``seed_demo()`` runs the management command quietly; call it again to re-run it.
    By default without the year of activity, which takes a while to build."""

    def _seed(activity=False):
        call_command("seed_demo", *([] if activity else ["--no-activity"]), stdout=StringIO())

    return _seed


@pytest.fixture
def demo_county(db, seed_demo):
    seed_demo()


class DemoCopies:
    """The demo county with its year of activity, seeded once per test session and copied
    back for every later module that reads it.

    A seed takes half a minute and eight modules read the demo, which made their seeds about
    a fifth of the suite. The first module seeds it and keeps a copy of every table (COPY); a
    later one empties the tables and copies them back, in its own transaction, in about a
    second. Every table is copied, content types and permissions included, because each flush
    of a transactional test renumbers those and the demo's rows point at the old numbers."""

    def __init__(self):
        self.copies = {}

    def load(self, moment):
        """Put the demo seeded at ``moment`` (a day or an instant) in the open transaction."""
        from django.contrib.contenttypes.models import ContentType

        if moment in self.copies:
            self.copy_back(self.copies[moment])
        else:
            call_command("seed_demo", stdout=StringIO())
            self.copies[moment] = self.copy_out()
        # The demo's rows are this transaction's and have no statistics yet. On a server whose
        # autovacuum ran over earlier tests' rolled-back rows (the embedded one), every table
        # is recorded as empty, and a to-do list over the demo was planned as loops over
        # every row of every table: a minute a query.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        ContentType.objects.clear_cache()

    @staticmethod
    def tables(cursor):
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]

    def copy_out(self):
        copies = {}
        with connection.cursor() as cursor:
            for table in self.tables(cursor):
                rows = BytesIO()
                cursor.copy_expert(f"COPY {table} TO STDOUT", rows)
                copies[table] = rows.getvalue()
        return copies

    def copy_back(self, copies):
        with connection.cursor() as cursor:
            # The access log refuses TRUNCATE (see allow_truncate_in_flush): allowed for this
            # one statement, then refused again for the module's tests.
            cursor.execute("SET LOCAL federation.allow_truncate = on")
            cursor.execute(f"TRUNCATE {', '.join(copies)}")
            cursor.execute("SET LOCAL federation.allow_truncate = off")
            for table, rows in copies.items():
                if rows:
                    cursor.copy_expert(f"COPY {table} FROM STDIN", BytesIO(rows))


@pytest.fixture(scope="session")
def demo_copies():
    return DemoCopies()


@contextmanager
def demo_for_module(demo_copies, django_db_blocker, moment):
    """The demo of ``moment`` for one module: each test's own changes roll back as usual, and
    the module's demo rolls back when the module ends, so no other test sees it."""
    from django.contrib.contenttypes.models import ContentType

    with django_db_blocker.unblock(), transaction.atomic():
        demo_copies.load(moment)
        # Checked once here: left deferred, every test's end (Django checks the constraints
        # before rolling a test back) would check the whole demo again, 2 s a test.
        connection.check_constraints()
        yield
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="module")
def demo_year(django_db_setup, django_db_blocker, demo_copies):
    """The demo county with its year of activity up to today (the real day: these tests hold
    for any day of the year)."""
    with demo_for_module(demo_copies, django_db_blocker, timezone.localdate()):
        yield


DEMO_INSTANT = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def demo_day(django_db_setup, django_db_blocker, demo_copies):
    """The demo county with its year of activity, seeded and read on one fixed day, for tests
    that name the demo's dates and figures."""
    with (
        time_machine.travel(DEMO_INSTANT),
        demo_for_module(demo_copies, django_db_blocker, DEMO_INSTANT),
    ):
        yield


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker in this process, on the real broker, against the real database."""
    from celery.contrib.testing.worker import start_worker

    from federation.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def wait_for(read, timeout=20.0):
    """Poll ``read`` until it returns something truthy (a worker finishing), or give up."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.1)
    return None


@pytest.fixture(autouse=True)
def fresh_deadline_cache():
    """The engine caches the holiday calendar and deadline rules per process; each test starts
    from what its own database holds."""
    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing kept in the cache (the dashboards' panels): a database
    rolled back under a kept panel would otherwise meet it again."""
    cache.clear()


@pytest.fixture
def holiday_calendar(db):
    """The State Council's calendar as the data migration stores it (a transactional test
    elsewhere may have emptied the table)."""
    from apps.core.holidays import sync_package_days

    sync_package_days()
    clear_calendar_cache()
