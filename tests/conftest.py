"""Personas every test can ask for by name.

The county has two townships, A and B; A has villages A1 and A2, B has village B1; one
department hangs under the county. Each persona holds one role in one of those units.
"""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
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


@pytest.fixture(scope="module")
def demo_year(django_db_setup, django_db_blocker):
    """The demo county with its year of activity, built once for a module of tests that read
    it (a seed takes half a minute; a second one, which the tests still run to show it adds
    nothing, a second). Each test's own changes roll back as usual; the module's demo rolls
    back when the module ends, so no other test sees it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


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
