"""Every case step is safe to retry: a second identical request changes nothing and gets the
same answer, so a lost response (or a broker failure after the commit) never pushes a case on
twice. Escalating goes one level above whoever asks, never one level above where it is."""

import pytest
from django.core.exceptions import ValidationError

from apps.liaison import services
from apps.liaison.models import Case
from apps.notifications.models import Notification
from tests.liaison.test_cases import log_need


@pytest.fixture
def case(village_a1_rep, household_a1):
    return log_need(village_a1_rep, household_a1)[1]


def steps(case):
    return list(case.follow_ups.exclude(state_to="").values_list("state_to", flat=True))


class TestEscalation:
    def test_a_retried_escalation_stays_with_the_township(self, case, village_a1_rep, county):
        first = services.escalate_case(village_a1_rep, case, note="需要乡镇协调")
        again = services.escalate_case(village_a1_rep, case, note="需要乡镇协调")

        assert (again.state, again.escalated_to) == ("escalated", county.township_a)
        assert again.escalated_at == first.escalated_at
        assert again.escalation_units == [county.township_a.pk]
        assert steps(case) == ["open", "escalated"]

    def test_township_staff_escalate_on_to_the_county_once(
        self, case, village_a1_rep, township_a_staff, county
    ):
        services.escalate_case(village_a1_rep, case)
        services.escalate_case(township_a_staff, case, note="上报县妇联")
        again = services.escalate_case(township_a_staff, case, note="上报县妇联")

        assert again.escalated_to == county.county
        assert again.escalation_units == [county.township_a.pk, county.county.pk]
        assert steps(case) == ["open", "escalated", "escalated"]

    def test_the_representative_cannot_push_a_case_past_her_township(
        self, case, village_a1_rep, township_a_staff, county
    ):
        services.escalate_case(village_a1_rep, case)
        services.escalate_case(village_a1_rep, case)
        services.escalate_case(village_a1_rep, case)

        case.refresh_from_db()
        assert case.escalated_to == county.township_a

    def test_county_staff_have_nowhere_to_escalate_to(self, case, county_admin):
        with pytest.raises(ValidationError, match="县"):
            services.escalate_case(county_admin, case)

    def test_the_township_is_notified_once(self, case, village_a1_rep, township_a_staff):
        services.escalate_case(village_a1_rep, case)
        services.escalate_case(village_a1_rep, case)
        assert Notification.objects.filter(recipient=township_a_staff).count() == 1

    def test_the_api_answers_a_retry_with_the_same_case(self, case, village_a1_rep, api_as, county):
        api = api_as(village_a1_rep)
        first = api.post(f"/api/v1/cases/{case.pk}/escalate/", {"note": "请乡镇协调"})
        again = api.post(f"/api/v1/cases/{case.pk}/escalate/", {"note": "请乡镇协调"})

        assert first.status_code == again.status_code == 200
        assert again.json()["escalated_to"] == first.json()["escalated_to"]
        assert again.json()["state"] == "escalated"
        assert steps(Case.objects.get(pk=case.pk)) == ["open", "escalated"]


class TestOtherSteps:
    def test_a_retried_start_resolve_and_close_change_nothing(self, case, village_a1_rep):
        for _attempt in range(2):
            assert services.start_case(village_a1_rep, case, note="已联系").state == "in_progress"
        for _attempt in range(2):
            assert services.resolve_case(village_a1_rep, case, note="已解决").state == "resolved"
        for _attempt in range(2):
            closed = services.close_case(
                village_a1_rep, case, note="回访", satisfaction="satisfied"
            )
            assert closed.state == "closed"
        assert steps(case) == ["open", "in_progress", "resolved", "closed"]

    def test_a_step_someone_else_took_is_still_refused(
        self, case, village_a1_rep, township_a_staff
    ):
        services.escalate_case(village_a1_rep, case)
        services.resolve_case(township_a_staff, case, note="乡镇已协调解决")
        with pytest.raises(ValidationError):
            services.resolve_case(village_a1_rep, case, note="已解决")
