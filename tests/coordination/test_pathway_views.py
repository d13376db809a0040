"""The pathway page: each step from its form, refusals shown on the form with nothing written,
the API's steps, and the query counts of every list, pinned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.coordination import services
from apps.coordination.models import (
    FollowUpVisit,
    MandatoryReport,
    ProtectionOrder,
    Service,
    WarningLetter,
)
from tests.coordination.conftest import make_service
from tests.coordination.test_query_counts import count_queries


def page(case):
    return f"/coordination/cases/{case.pk}/pathway/"


def moment(**delta):
    return (timezone.localtime() - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def test_the_representative_works_the_pathway_on_its_page(
    client_as, village_a1_rep, violence_a1, household_a1
):
    client = client_as(village_a1_rep)
    url = page(violence_a1)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(url, {"action": "warning_letter", "issued_on": future, "issued_by": "x"})
    assert response.status_code == 200 and not WarningLetter.objects.exists()
    assert "issued_on" in response.context["letter_form"].errors
    for day in (10, 2):
        issued = (timezone.localdate() - timedelta(days=day)).isoformat()
        response = client.post(
            url, {"action": "warning_letter", "issued_on": issued, "issued_by": "城关派出所"}
        )
        assert response.status_code == 302
    body = client.get(url).content.decode()
    assert 'data-testid="closer-follow-up"' in body
    assert (
        'data-testid="closer-follow-up"'
        in client.get(violence_a1.get_absolute_url()).content.decode()
    )

    visit = FollowUpVisit.objects.order_by("pk").first()
    response = client.post(url, {"action": "follow_up_visit", "item": visit.pk, "note": ""})
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.is_open
    client.post(url, {"action": "follow_up_visit", "item": visit.pk, "note": "已查访"})
    visit.refresh_from_db()
    assert not visit.is_open

    response = client.post(
        url, {"action": "protection_order", "applied_at": moment(hours=3), "court": "县人民法院"}
    )
    assert response.status_code == 302
    order = ProtectionOrder.objects.get()
    early = {"action": "decision", "item": order.pk, "outcome": "granted"}
    response = client.post(url, early | {"decided_at": moment(hours=5)})
    assert response.status_code == 200 and "decided_at" in response.context["orders"][0].form.errors
    client.post(url, early | {"decided_at": moment(hours=1)})
    order.refresh_from_db()
    assert order.outcome == "granted"

    response = client.post(url, {"action": "mandatory_report", "reason": ""})
    assert response.status_code == 200 and not MandatoryReport.objects.exists()
    client.post(url, {"action": "mandatory_report", "reason": "limited_capacity"})
    report = MandatoryReport.objects.get()
    assert 'data-testid="report-due"' in client.get(url).content.decode()
    sent = {"action": "report_sent", "item": report.pk, "reported_to": "县公安局"}
    client.post(url, sent | {"reported_at": moment(minutes=5)})
    report.refresh_from_db()
    assert report.is_reported


def test_the_page_offers_shelter_through_a_referral(client_as, village_a1_rep, violence_a1, police):
    shelter = make_service(
        police,
        name="反家暴庇护站",
        kind=Service.Kind.PEOPLE,
        case_categories=["violence"],
        accepts_sensitive=True,
        provides_shelter=True,
    )
    client = client_as(village_a1_rep)
    link = f"/coordination/referrals/new/?case={violence_a1.pk}&amp;service={shelter.pk}"
    assert link in client.get(page(violence_a1)).content.decode()
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert str(form["service"].value()) == str(shelter.pk)


def test_the_api_runs_each_step(api_as, village_a1_rep, violence_a1, case_a1):
    api = api_as(village_a1_rep)
    issued = (timezone.localdate() - timedelta(days=1)).isoformat()
    refused = api.post(
        "/api/v1/warning-letters/",
        {"case": case_a1.pk, "issued_on": issued, "issued_by": "派出所"},
        format="json",
    )
    assert refused.status_code == 400 and "case" in refused.json()
    made = api.post(
        "/api/v1/warning-letters/",
        {"case": violence_a1.pk, "issued_on": issued, "issued_by": "派出所"},
        format="json",
    )
    assert made.status_code == 201
    visit = made.json()["follow_up_visit"]
    done = api.post(
        f"/api/v1/follow-up-visits/{visit}/complete/", {"note": "已查访"}, format="json"
    )
    assert done.status_code == 200 and done.json()["done_at"]
    order = api.post(
        "/api/v1/protection-orders/",
        {
            "case": violence_a1.pk,
            "applied_at": timezone.now().isoformat(),
            "court": "县法院",
            "urgent": True,
        },
        format="json",
    ).json()
    assert order["light"] == "green" and order["outcome"] == "pending"
    decide = f"/api/v1/protection-orders/{order['id']}/decide/"
    early = (timezone.now() - timedelta(hours=1)).isoformat()
    assert (
        api.post(decide, {"outcome": "refused", "decided_at": early}, format="json").status_code
        == 400
    )
    now = timezone.now().isoformat()
    assert (
        api.post(decide, {"outcome": "refused", "decided_at": now}, format="json").status_code
        == 200
    )
    twice = api.post(decide, {"outcome": "granted", "decided_at": now}, format="json")
    assert twice.status_code == 400
    flag = api.post("/api/v1/mandatory-reports/", {"case": violence_a1.pk}, format="json")
    assert flag.status_code == 400 and "reason" in flag.json()
    flag = api.post(
        "/api/v1/mandatory-reports/", {"case": violence_a1.pk, "reason": "minor"}, format="json"
    )
    assert flag.status_code == 201
    again = api.post(
        "/api/v1/mandatory-reports/", {"case": violence_a1.pk, "reason": "minor"}, format="json"
    )
    assert again.status_code == 400 and "case" in again.json()
    sent = api.post(
        f"/api/v1/mandatory-reports/{flag.json()['id']}/report/",
        {"reported_to": "县公安局", "reported_at": now},
        format="json",
    )
    assert sent.status_code == 200 and sent.json()["reported_by"] == village_a1_rep.pk


# --- query counts ------------------------------------------------------------------------------

# API: the savepoint and its release, her memberships, the count, the rows (the case rule is a
# subquery of the same query; lights read the stored due dates). The page: the session, the
# user, her memberships, the case, the letters with their 查访, the orders, the report, the
# shelter services and referrals, her visits to the household, and the navigation's reads.
PINNED = {
    "/api/v1/warning-letters/": 5,
    "/api/v1/follow-up-visits/": 5,
    "/api/v1/protection-orders/": 5,
    "/api/v1/mandatory-reports/": 5,
    "pathway": 17,
}


@pytest.fixture
def grow(village_a1_rep, violence_a1):
    def _grow(count):
        for _index in range(count):
            services.record_warning_letter(
                village_a1_rep,
                violence_a1,
                issued_on=timezone.localdate(),
                issued_by="城关派出所",
            )
            services.apply_protection_order(
                village_a1_rep, violence_a1, applied_at=timezone.now(), court="县人民法院"
            )

    return _grow


@pytest.mark.parametrize("url", list(PINNED))
def test_query_count_is_pinned(url, grow, village_a1_rep, violence_a1, api_as, client_as):
    services.flag_mandatory_report(village_a1_rep, violence_a1, reason="minor")

    def client():
        fresh = User.objects.get(pk=village_a1_rep.pk)
        return api_as(fresh) if url.startswith("/api/") else client_as(fresh)

    target = page(violence_a1) if url == "pathway" else url
    grow(2)
    at_two = count_queries(client(), target)
    grow(15)
    assert (at_two, count_queries(client(), target)) == (PINNED[url],) * 2
