"""Records made on the phone carry a client id: a second upload of it is the same record, never
a second one; someone else's id is refused without a word about their record."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.liaison import services
from apps.liaison.models import Case, FollowUp, Visit
from tests.conftest import make_user, wait_for


def _visit_body(household, client_id, **extra):
    return {
        "visited_on": timezone.localdate().isoformat(),
        "mode": "home",
        "contacts": [household.pk],
        "summary": "入户走访",
        "client_id": str(client_id),
        **extra,
    }


def test_a_visit_uploaded_twice_is_stored_once(api_as, village_a1_rep, household_a1):
    api = api_as(village_a1_rep)
    body = _visit_body(
        household_a1,
        uuid.uuid4(),
        needs_raised=[
            {"contact": household_a1.pk, "category": "employment", "description": "想学电商"}
        ],
    )
    first = api.post("/api/v1/visits/", body)
    second = api.post("/api/v1/visits/", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["client_id"] == body["client_id"]
    assert second.json()["needs"] == "想学电商"
    assert Visit.objects.count() == 1
    assert Case.objects.count() == 1


def test_a_repeat_is_answered_even_when_the_household_has_moved_since(
    api_as, village_a1_rep, household_a1, rep_b1
):
    """The first upload arrived; the household then went to another representative: the repeat
    still finds her visit instead of being refused."""
    api = api_as(village_a1_rep)
    body = _visit_body(household_a1, uuid.uuid4())
    assert api.post("/api/v1/visits/", body).status_code == 201
    household_a1.representative = rep_b1
    household_a1.save()
    again = api.post("/api/v1/visits/", body)
    assert again.status_code == 200, again.json()
    assert Visit.objects.count() == 1


def test_a_case_and_a_follow_up_uploaded_twice_are_stored_once(
    api_as, village_a1_rep, household_a1
):
    api = api_as(village_a1_rep)
    case_body = {
        "contact": household_a1.pk,
        "category": "hardship",
        "description": "生活困难",
        "client_id": str(uuid.uuid4()),
    }
    first = api.post("/api/v1/cases/", case_body)
    second = api.post("/api/v1/cases/", case_body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1

    case_id = first.json()["id"]
    note = {"note": "一周后回访", "client_id": str(uuid.uuid4())}
    for _attempt in range(2):
        answer = api.post(f"/api/v1/cases/{case_id}/follow-up/", note)
        assert answer.status_code == 200
    assert FollowUp.objects.filter(case_id=case_id, note="一周后回访").count() == 1
    notes = [row["note"] for row in answer.json()["follow_ups"]]
    assert notes.count("一周后回访") == 1


def test_someone_elses_client_id_is_refused_without_a_word_about_it(
    api_as, village_a1_rep, village_b1_rep, household_a1, household_b1
):
    taken = uuid.uuid4()
    services.log_visit(
        village_b1_rep,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[household_b1],
        summary="乙村的秘密记录",
        client_id=taken,
    )
    answer = api_as(village_a1_rep).post("/api/v1/visits/", _visit_body(household_a1, taken))
    assert answer.status_code == 400
    assert set(answer.json()) == {"client_id"}
    assert "乙村" not in answer.content.decode()
    assert Visit.objects.count() == 1


def test_a_follow_up_id_of_another_case_is_refused(api_as, village_a1_rep, household_a1):
    api = api_as(village_a1_rep)
    cases = [
        services.open_case(village_a1_rep, contact=household_a1, category="hardship", description=d)
        for d in ("一", "二")
    ]
    note = {"note": "回访", "client_id": str(uuid.uuid4())}
    assert api.post(f"/api/v1/cases/{cases[0].pk}/follow-up/", note).status_code == 200
    other = api.post(f"/api/v1/cases/{cases[1].pk}/follow-up/", note)
    assert other.status_code == 400
    assert set(other.json()) == {"client_id"}
    assert not cases[1].follow_ups.filter(note="回访").exists()


@pytest.mark.parametrize(
    ("role", "unit_name", "answer"),
    [
        ("county_admin", "county", 400),
        ("township_staff", "township_a", 400),
        ("village_rep", "village_a2", 400),
        ("dept_liaison", "department", 403),
        ("leader", "county", 403),
    ],
)
def test_every_role_is_refused_a_representatives_case_id(
    api_as, county, village_a1_rep, household_a1, role, unit_name, answer
):
    """Staff who may open the case still may not make it theirs by its id; roles that may not
    write cases are refused before the id is looked at."""
    taken = uuid.uuid4()
    services.open_case(
        village_a1_rep,
        contact=household_a1,
        category="violence",
        description="遭受家暴",
        client_id=taken,
    )
    caller = make_user(f"caller_{role}", role, getattr(county, unit_name))
    body = {"contact": household_a1.pk, "category": "hardship", "description": "x"}
    response = api_as(caller).post("/api/v1/cases/", {**body, "client_id": str(taken)})
    assert response.status_code == answer
    assert "家暴" not in response.content.decode()
    assert Case.objects.count() == 1


def test_a_repeat_answers_as_a_read_of_the_record_would(api_as, village_a1_rep, household_a1):
    """The stored record comes back through the caller's own view of it, as GET gives it."""
    api = api_as(village_a1_rep)
    body = {
        "contact": household_a1.pk,
        "category": "violence",
        "description": "遭受家暴",
        "client_id": str(uuid.uuid4()),
    }
    created = api.post("/api/v1/cases/", body).json()
    again = api.post("/api/v1/cases/", body).json()
    assert again == api.get(f"/api/v1/cases/{created['id']}/").json()
    assert again["is_sensitive"] is True


def test_the_visit_page_stores_a_visit_posted_twice_once(
    client_as, village_a1_rep, household_a1, village_b1_rep, household_b1
):
    client = client_as(village_a1_rep)
    form = {
        "contacts": [household_a1.pk],
        "visited_on": timezone.localdate().isoformat(),
        "mode": "home",
        "summary": "入户",
        "client_id": str(uuid.uuid4()),
    }
    for _attempt in range(2):
        assert client.post("/liaison/visits/new/", form).status_code == 302
    assert Visit.objects.count() == 1

    taken = services.log_visit(
        village_b1_rep,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[household_b1],
        summary="乙村",
        client_id=uuid.uuid4(),
    ).client_id
    refused = client.post("/liaison/visits/new/", {**form, "client_id": str(taken)})
    assert refused.status_code == 200
    assert 'data-testid="client-id-error"' in refused.content.decode()
    assert Visit.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_uploads_racing_store_one_visit(village_a1_rep, household_a1):
    """The second upload arrives while the first is still being written: its insert waits on
    the unique constraint, fails when the first commits, and answers with the first's visit."""
    client_id = uuid.uuid4()
    first_written, release_first = threading.Event(), threading.Event()
    results = {}

    def upload(name, hold=False):
        try:
            with transaction.atomic():
                results[name] = services.log_visit(
                    village_a1_rep,
                    visited_on=timezone.localdate(),
                    mode="home",
                    contacts=[household_a1],
                    summary="入户",
                    client_id=client_id,
                )
                if hold:
                    first_written.set()
                    release_first.wait(20)
        finally:
            connection.close()

    first = threading.Thread(target=upload, args=("first", True))
    first.start()
    assert first_written.wait(20)
    second = threading.Thread(target=upload, args=("second",))
    second.start()
    assert wait_for(_an_insert_waits_on_a_lock)
    release_first.set()
    first.join(20)
    second.join(20)
    assert results["second"].pk == results["first"].pk
    assert (results["first"].replayed, results["second"].replayed) == (False, True)
    assert Visit.objects.filter(client_id=client_id).count() == 1


def _an_insert_waits_on_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]
