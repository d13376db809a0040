"""Who may see the domestic-violence pathway's records, at every door, as each of the five
roles and a second representative of the same village: only those who may open the sensitive
case (her representative, the staff it was escalated to, county staff)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.coordination import services
from apps.core.models import AccessLog
from apps.liaison import services as liaison

RESOURCES = ("warning-letters", "follow-up-visits", "protection-orders", "mandatory-reports")
SECRETS = ("张桂芳", "丈夫殴打", "13812345678")
OUTSIDERS = ("leader", "dept_liaison", "village_b1_rep", "village_a1_rep2")


@pytest.fixture
def pathway(village_a1_rep, violence_a1):
    letter = services.record_warning_letter(
        village_a1_rep,
        violence_a1,
        issued_on=timezone.localdate() - timedelta(days=2),
        issued_by="城关派出所",
        note="告诫书记载：丈夫殴打",
    )
    order = services.apply_protection_order(
        village_a1_rep,
        violence_a1,
        applied_at=timezone.now() - timedelta(hours=80),
        court="县人民法院",
    )
    report = services.flag_mandatory_report(village_a1_rep, violence_a1, reason="minor")
    return {
        "warning-letters": letter.pk,
        "follow-up-visits": letter.follow_up_visit.pk,
        "protection-orders": order.pk,
        "mandatory-reports": report.pk,
    }


def listed(api, resource, query=""):
    response = api.get(f"/api/v1/{resource}/{query}")
    assert response.status_code == 200, resource
    return {row["id"] for row in response.json()["results"]}


def test_her_representative_and_the_county_see_every_record(
    pathway, api_as, village_a1_rep, county_admin, violence_a1
):
    for user in (village_a1_rep, county_admin):
        api = api_as(user)
        for resource in RESOURCES:
            assert listed(api, resource) == {pathway[resource]}
            assert listed(api, resource, f"?case={violence_a1.pk}") == {pathway[resource]}
            detail = api.get(f"/api/v1/{resource}/{pathway[resource]}/")
            assert detail.status_code == 200


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_else_finds_a_record_at_any_door(role, request, pathway, api_as, violence_a1):
    api = api_as(request.getfixturevalue(role))
    for resource in RESOURCES:
        assert listed(api, resource) == set()
        assert listed(api, resource, f"?case={violence_a1.pk}") == set()
        assert api.get(f"/api/v1/{resource}/{pathway[resource]}/").status_code == 404


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_else_opens_the_pathway_page(role, request, pathway, client_as, violence_a1):
    response = client_as(request.getfixturevalue(role)).get(
        f"/coordination/cases/{violence_a1.pk}/pathway/"
    )
    assert response.status_code in (403, 404)


def test_the_township_sees_it_only_once_escalated(
    pathway, api_as, client_as, township_a_staff, village_a1_rep, violence_a1
):
    url = f"/coordination/cases/{violence_a1.pk}/pathway/"
    assert client_as(township_a_staff).get(url).status_code == 404
    for resource in RESOURCES:
        assert listed(api_as(township_a_staff), resource) == set()
    liaison.escalate_case(village_a1_rep, violence_a1)
    assert client_as(township_a_staff).get(url).status_code == 200
    for resource in RESOURCES:
        assert listed(api_as(township_a_staff), resource) == {pathway[resource]}


def test_a_department_sees_only_what_a_consented_referral_shares(
    pathway, api_as, village_a1_rep, violence_a1, police_help, police_liaison
):
    referral = services.refer_case(
        village_a1_rep, violence_a1, service=police_help, consent=True, consent_method="verbal"
    )
    api = api_as(police_liaison)
    body = api.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert "城关派出所" not in str(body) and "县人民法院" not in str(body)
    for resource in RESOURCES:
        assert listed(api, resource) == set()


def test_the_to_do_api_carries_no_name_or_words_of_hers(pathway, api_as, village_a1_rep):
    rows = api_as(village_a1_rep).get("/api/v1/todo/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    kinds = {row["kind"] for row in rows}
    assert {"follow-up-visit", "protection-order", "mandatory-report"} <= kinds
    text = str(rows)
    for secret in SECRETS:
        assert secret not in text


def test_the_case_page_links_to_the_pathway_for_those_who_see_it(
    pathway, client_as, village_a1_rep, violence_a1, case_a1
):
    client = client_as(village_a1_rep)
    page = client.get(violence_a1.get_absolute_url()).content.decode()
    assert f"/coordination/cases/{violence_a1.pk}/pathway/" in page
    plain = client.get(case_a1.get_absolute_url()).content.decode()
    assert "pathway-link" not in plain
    # A plain case has no pathway page.
    assert client.get(f"/coordination/cases/{case_a1.pk}/pathway/").status_code == 404


class TestAdmin:
    def _staff(self, user):
        user.is_staff = True
        user.save()
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="coordination"))
        return user

    MODELS = ("warningletter", "followupvisit", "protectionorder", "mandatoryreport")

    @pytest.mark.parametrize("role", ["township_a_staff", "dept_liaison", "leader"])
    def test_only_county_staff_see_them(self, role, request, pathway, client_as):
        client = client_as(self._staff(request.getfixturevalue(role)))
        for model in self.MODELS:
            assert client.get(f"/admin/coordination/{model}/").status_code == 403

    def test_county_staff_read_them_logged_and_write_nothing(
        self, pathway, county_admin, client_as
    ):
        client = client_as(self._staff(county_admin))
        for model, resource in zip(self.MODELS, RESOURCES, strict=True):
            listing = client.get(f"/admin/coordination/{model}/")
            assert listing.status_code == 200
            assert "丈夫殴打" not in listing.content.decode()
            url = f"/admin/coordination/{model}/{pathway[resource]}/change/"
            assert client.get(url).status_code == 200
            assert client.get(f"/admin/coordination/{model}/add/").status_code == 403
        logged = {
            record for record, _id in AccessLog.objects.values_list("record_type", "record_id")
        }
        assert {f"coordination.{model}" for model in self.MODELS} <= logged
