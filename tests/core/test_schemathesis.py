"""The whole API, fuzzed from its own OpenAPI schema: whatever a county admin or a village
representative sends, the answer is never a server error.

Schemathesis generates valid and invalid requests for every operation at /api/schema/ and sends
them to the WSGI application in-process, inside this test's transaction (each request in its own
savepoint, as ATOMIC_REQUESTS makes it). It is bounded (a few examples per operation, fixed seed)
so it runs in CI with the rest; select it alone with ``-m schemathesis``.
"""

import os
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from werkzeug.test import Client

from apps.accounts.models import User
from apps.liaison import services as liaison
from apps.liaison.models import Contact, Representative
from apps.objectives import services as objectives
from apps.objectives.models import Objective
from apps.organizations.models import Period

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

# Per operation and pass; raise it locally (FUZZ_EXAMPLES=100) for a deeper search.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", 10))


class Undo(Exception):
    """Leaves a savepoint by rolling it back."""


@pytest.fixture
def wsgi_app():
    """The WSGI application, sharing this test's database connection: Django closes "old"
    connections around each request, which would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo_objects(demo_county):
    """The demo county without its year of activity, plus one of each thing the API serves."""
    admin = User.objects.get(username="admin")
    village = User.objects.get(username="village")
    unit = village.primary_membership.unit
    if not Representative.objects.filter(user=village).exists():
        Representative.objects.create(
            unit=unit,
            user=village,
            number="FUZZ-01",
            full_name="王秀英",
            sector="farmer",
            term_start=date(2026, 1, 1),
            term_end=date(2030, 12, 31),
        )
    representative = Representative.objects.get(user=village)
    contact = Contact.objects.create(representative=representative, unit=unit, name="李桂兰")
    liaison.log_visit(
        village,
        visited_on=date.today(),
        mode="home",
        contacts=[contact],
        summary="入户走访",
        needs=[{"contact": contact, "category": "employment", "description": "想找工作"}],
    )
    period = Period.objects.current_year()
    plan = objectives.create_plan(
        admin, period=period, unit=admin.primary_membership.unit, title="目标责任书"
    )
    objectives.add_objective(
        admin,
        plan,
        category=Objective.Category.DEVELOPMENT,
        title="开展巾帼技能培训",
        kind=Objective.Kind.QUANTITATIVE,
        measure_unit="人次",
        baseline=Decimal(0),
        target=Decimal(100),
        weight=Decimal(10),
        due_date=period.end_date,
        assignee_unit=admin.primary_membership.unit,
    )
    return {"admin": admin, "village": village}


def visible_id(client, headers, path):
    """The id of a row the caller can see in the collection ``path`` belongs to, if any."""
    collection, found, _rest = path.partition("{id}/")
    if not found:
        return None
    listing = client.get(collection, query_string={"page_size": 1}, headers=headers).json
    rows = listing.get("results", listing) if isinstance(listing, dict) else listing
    return rows[0]["id"] if rows else None


@pytest.mark.parametrize("username", ["admin", "village"])
def test_no_request_is_a_server_error(demo_objects, wsgi_app, username):
    token = Token.objects.get_or_create(user=demo_objects[username])[0].key
    headers = {"Authorization": f"Token {token}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    failures = []
    # Not Django's test client: it reconnects the signals the wsgi_app fixture disconnected.
    client = Client(wsgi_app)
    for result in schema.get_all_operations():
        operation = result.ok()
        passes = [(GenerationMode.POSITIVE, {}), (GenerationMode.NEGATIVE, {})]
        # Random ids mostly miss; also aim every detail and action at a row the caller sees.
        real_id = visible_id(client, headers, operation.path)
        if real_id is not None:
            passes.append((GenerationMode.POSITIVE, {"id": real_id}))
        for mode, path_parameters in passes:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                report_multiple_bugs=False,
                # Generate only: no replay database, and no shrinking of a failure (which can
                # take minutes); the report below shows the failing request as it was sent.
                phases=[Phase.generate],
            )
            @given(case=strategy)
            def run(case):
                # Each request in its own savepoint, undone afterwards: a failed statement in
                # one (or in a view that opts out of ATOMIC_REQUESTS) cannot spoil the next.
                try:
                    with transaction.atomic():
                        response = case.call(headers=headers)
                        raise Undo
                except Undo:
                    pass
                case.validate_response(response, checks=[not_a_server_error])

            try:
                run()
            except Unsatisfiable:
                pass  # nothing to make invalid (an operation without parameters or body)
            except Exception as error:  # noqa: BLE001 - collected, reported together below
                label = f"{operation.label} [{mode}{' on a real id' if path_parameters else ''}]"
                failures.append(f"{label}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
