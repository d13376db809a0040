"""A service says how long it takes to complete a referral; without it the county's rule
(15 working days unless the admin changes it) applies from the moment it is accepted."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.coordination import services
from apps.coordination.models import Service
from apps.core.models import DeadlineRule

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def accepted(rep, liaison, case, service):
    with time_machine.travel(MONDAY, tick=False):
        referral = services.refer_case(
            rep, case, service=service, consent=True, consent_method="verbal"
        )
        return services.accept_referral(liaison, referral)


def at(day, hour=10):
    return datetime(2026, *day, hour, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_without_its_own_time_the_rule_gives_15_working_days(
    village_a1_rep, dept_liaison, case_a1, school_aid
):
    referral = accepted(village_a1_rep, dept_liaison, case_a1, school_aid)
    assert referral.accepted_at == MONDAY
    assert referral.complete_due == at((12, 14))  # three weeks of weekdays later


def test_the_rule_the_admin_sets_applies_when_the_service_sets_none(
    village_a1_rep, dept_liaison, case_a1, school_aid
):
    DeadlineRule.objects.update_or_create(
        kind="referral", state="complete", defaults={"days": 3, "working_days": True}
    )
    referral = accepted(village_a1_rep, dept_liaison, case_a1, school_aid)
    assert referral.complete_due == at((11, 26))


@pytest.mark.parametrize(
    ("days", "working", "due"),
    [
        (5, True, (11, 30)),  # Monday to the next Monday
        (10, False, (12, 3)),  # calendar days: a Thursday
        (12, False, (12, 7)),  # lands on Saturday 5 December: the next working day
    ],
)
def test_the_services_own_time(
    village_a1_rep, dept_liaison, case_a1, school_aid, days, working, due
):
    Service.objects.filter(pk=school_aid.pk).update(
        complete_days=days, complete_in_working_days=working
    )
    school_aid.refresh_from_db()
    referral = accepted(village_a1_rep, dept_liaison, case_a1, school_aid)
    assert referral.complete_due == at(due)
    assert referral.complete_due - referral.accepted_at >= timedelta(days=days)


def test_the_time_is_kept_through_the_api_and_the_page(api_as, client_as, dept_liaison, county):
    api = api_as(dept_liaison)
    body = {
        "department": county.department.pk,
        "name": "助学金",
        "kind": "funds",
        "description": "d",
        "complete_days": 10,
        "complete_in_working_days": False,
    }
    created = api.post("/api/v1/services/", body, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["complete_days"], created.json()["complete_in_working_days"]) == (
        10,
        False,
    )
    response = api.post("/api/v1/services/", body | {"complete_days": 0}, format="json")
    assert response.status_code == 400 and "complete_days" in response.json()
    service = Service.objects.get(pk=created.json()["id"])
    page = client_as(dept_liaison)
    form = {
        "department": county.department.pk,
        "name": "助学金",
        "kind": "funds",
        "description": "d",
        "status": "active",
        "complete_days": "7",
        "complete_in_working_days": "on",
    }
    assert page.post(f"/coordination/services/{service.pk}/edit/", form).status_code == 302
    service.refresh_from_db()
    assert (service.complete_days, service.complete_in_working_days) == (7, True)
    edit = f"/coordination/services/{service.pk}/edit/"
    response = page.post(edit, form | {"complete_days": "-1"})
    assert response.status_code == 200
    service.refresh_from_db()
    assert service.complete_days == 7
    # Shown in the directory and on the service's page.
    assert "7 个工作日" in page.get("/coordination/services/").content.decode()
    assert "7 个工作日" in page.get(service.get_absolute_url()).content.decode()
