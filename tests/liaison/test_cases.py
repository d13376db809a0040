"""Visits, cases and their states, the sensitive-case rule, mutual help and coverage."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import AccessLog
from apps.core.roles import Role
from apps.liaison import services
from apps.liaison.models import Case, Contact, Visit
from tests.conftest import make_user
from tests.liaison.conftest import make_representative


def log_need(user, household, category="hardship"):
    visit = services.log_visit(
        user,
        visited_on=timezone.localdate(),
        mode="home",
        contacts=[household],
        summary="入户走访，了解家庭情况",
        needs=[{"contact": household, "category": category, "description": "希望得到帮助"}],
    )
    return visit, visit.cases.get()


class TestVisits:
    def test_logging_a_visit_marks_the_household_visited(self, village_a1_rep, household_a1):
        services.log_visit(
            village_a1_rep,
            visited_on=timezone.localdate(),
            mode="phone",
            contacts=[household_a1],
            summary="电话回访",
        )
        household_a1.refresh_from_db()
        assert household_a1.last_visited_on == timezone.localdate()

    def test_a_need_opens_a_case(self, village_a1_rep, household_a1):
        visit, case = log_need(village_a1_rep, household_a1)
        assert (case.state, case.contact, case.visit) == ("open", household_a1, visit)
        assert case.follow_ups.get().state_to == "open"

    def test_future_visit_is_refused_and_nothing_written(self, village_a1_rep, household_a1):
        with pytest.raises(ValidationError) as error:
            services.log_visit(
                village_a1_rep,
                visited_on=timezone.localdate() + timedelta(days=1),
                mode="home",
                contacts=[household_a1],
                summary="x",
            )
        assert "不能晚于今天" in error.value.message_dict["visited_on"][0]
        assert not Visit.objects.exists()

    @pytest.mark.parametrize("whose", ["other_village", "neighbour_in_same_village"])
    def test_household_not_her_own_is_refused(
        self, county, village_a1_rep, household_a1, household_b1, whose
    ):
        """Minimum necessary: she works only with her own households, not her neighbours'."""
        if whose == "other_village":
            household = household_b1
        else:
            neighbour = make_user("neighbour", Role.VILLAGE_REP, county.village_a1)
            rep = make_representative(neighbour, county.village_a1, "A1-09")
            household = Contact.objects.create(unit=county.village_a1, representative=rep, name="x")
        with pytest.raises(ValidationError, match="您自己的联系户"):
            services.log_visit(
                village_a1_rep,
                visited_on=timezone.localdate(),
                mode="home",
                contacts=[household],
                summary="x",
            )
        with pytest.raises(ValidationError, match="不是您的联系户"):
            services.open_case(
                village_a1_rep, contact=household, category="hardship", description="x"
            )
        assert not Case.objects.exists()

    def test_only_representatives_log_visits(self, township_a_staff, household_a1):
        with pytest.raises(PermissionDenied):
            services.log_visit(
                township_a_staff,
                visited_on=timezone.localdate(),
                mode="home",
                contacts=[household_a1],
                summary="x",
            )


class TestCaseStates:
    def test_open_escalate_resolve_close(
        self, village_a1_rep, household_a1, township_a_staff, county
    ):
        _, case = log_need(village_a1_rep, household_a1)
        case = services.start_case(village_a1_rep, case, note="已联系当事人")
        case = services.escalate_case(village_a1_rep, case, note="需要乡镇协调")
        assert (case.state, case.escalated_to) == ("escalated", county.township_a)
        case = services.resolve_case(township_a_staff, case, note="已协调解决")
        with pytest.raises(ValidationError, match="满意度"):
            services.close_case(village_a1_rep, case, note="")
        case = services.close_case(village_a1_rep, case, note="回访满意", satisfaction="satisfied")
        assert case.state == "closed" and case.closed_at and case.satisfaction == "satisfied"
        assert [f.state_to for f in case.follow_ups.order_by("pk")] == [
            "open",
            "in_progress",
            "escalated",
            "resolved",
            "closed",
        ]

    def test_every_state_has_a_deadline(self, village_a1_rep, household_a1):
        _, case = log_need(village_a1_rep, household_a1)
        before = case.state_deadline
        case = services.start_case(village_a1_rep, case)
        assert case.state_deadline > before

    def test_closed_case_cannot_be_escalated(self, village_a1_rep, household_a1):
        _, case = log_need(village_a1_rep, household_a1)
        services.resolve_case(village_a1_rep, case, note="已解决")
        with pytest.raises(ValidationError, match="不能转为"):
            services.escalate_case(village_a1_rep, case)

    def test_another_village_cannot_act_on_the_case(
        self, village_a1_rep, household_a1, village_b1_rep, rep_b1
    ):
        _, case = log_need(village_a1_rep, household_a1)
        with pytest.raises(PermissionDenied):
            services.resolve_case(village_b1_rep, case, note="x")

    def test_referral_hook_moves_the_case_to_referred(self, village_a1_rep, household_a1):
        _, case = log_need(village_a1_rep, household_a1)
        case = services.mark_referred(village_a1_rep, case, note="转介至县民政局")
        assert case.state == "referred"

    def test_only_who_may_handle_the_case_refers_it(
        self, village_a1_rep, household_a1, village_b1_rep, rep_b1, leader
    ):
        _, case = log_need(village_a1_rep, household_a1)
        for outsider in (village_b1_rep, leader):
            with pytest.raises(PermissionDenied):
                services.mark_referred(outsider, case, note="转介至县民政局")
        case.refresh_from_db()
        assert case.state == "open"
        assert not case.follow_ups.filter(state_to="referred").exists()


@pytest.mark.django_db(transaction=True)
def test_referral_runs_in_its_own_transaction(village_a1_rep, household_a1):
    """Called outside any transaction (as a Celery task or command would), the row lock must
    still be taken inside one: select_for_update outside a transaction is an error."""
    _, case = log_need(village_a1_rep, household_a1)
    case = services.mark_referred(village_a1_rep, case, note="转介至县民政局")
    assert Case.objects.get(pk=case.pk).state == "referred"


class TestSensitiveCases:
    @pytest.fixture
    def dv_case(self, village_a1_rep, household_a1):
        return log_need(village_a1_rep, household_a1, category="violence")[1]

    def test_domestic_violence_is_sensitive_with_a_24_hour_deadline(self, dv_case):
        assert dv_case.is_sensitive
        assert dv_case.state_deadline - dv_case.opened_at == timedelta(hours=24)

    @pytest.mark.parametrize(
        ("role", "unit_name"),
        [("township_staff", "township_b"), ("dept_liaison", "department"), ("leader", "county")],
    )
    def test_outsiders_cannot_see_it(self, dv_case, county, role, unit_name):
        outsider = make_user(f"outsider_{role}", role, getattr(county, unit_name))
        assert not Case.objects.for_user(outsider).filter(pk=dv_case.pk).exists()

    def test_township_sees_it_only_once_escalated_to_it(
        self, dv_case, township_a_staff, village_a1_rep
    ):
        assert not Case.objects.for_user(township_a_staff).filter(pk=dv_case.pk).exists()
        services.escalate_case(village_a1_rep, dv_case, note="紧急上报")
        assert Case.objects.for_user(township_a_staff).filter(pk=dv_case.pk).exists()

    def test_township_keeps_seeing_it_after_it_moves_to_the_county(
        self, dv_case, township_a_staff, village_a1_rep
    ):
        services.escalate_case(village_a1_rep, dv_case)
        services.escalate_case(township_a_staff, dv_case, note="上报县妇联")
        dv_case.refresh_from_db()
        assert dv_case.escalated_to.kind == "county"
        assert Case.objects.for_user(township_a_staff).filter(pk=dv_case.pk).exists()

    def test_representative_and_county_admin_see_it(self, dv_case, village_a1_rep, county_admin):
        for user in (village_a1_rep, county_admin):
            assert Case.objects.for_user(user).filter(pk=dv_case.pk).exists()


class TestMutualHelp:
    def test_nearest_matching_specialties_first(self, county, village_a1_rep, household_a1, rep_b1):
        neighbour = make_user("a2_rep", Role.VILLAGE_REP, county.village_a2)
        rep_a2 = make_representative(
            neighbour, county.village_a2, "A2-01", ["legal", "counselling"]
        )
        _, case = log_need(village_a1_rep, household_a1, category="marriage")
        # Same township (A2) before the rest of the county (B1); the case's own rep excluded.
        assert list(services.suggest_helpers(case)) == [rep_a2, rep_b1]


class TestCoverageAndAccessLog:
    def test_coverage_counts_households_visits_and_answered_cases(
        self, rep_a1, village_a1_rep, household_a1, county
    ):
        Contact.objects.create(
            unit=county.village_a1, representative=rep_a1, name="王二", risk="red"
        )
        log_need(village_a1_rep, household_a1)
        case = Case.objects.get()
        services.start_case(village_a1_rep, case)
        year = date.today().year
        rows = services.coverage(
            type(rep_a1).objects.all(),
            Contact.objects.all(),
            Visit.objects.all(),
            Case.objects.all(),
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            group="village",
        )
        row = rows[county.village_a1.pk]
        assert (row["linked"], row["visited"], row["coverage"], row["visits"]) == (2, 1, 50, 1)
        assert row["cases"] == row["cases_on_time"] == 1
        assert row["due"]["red"] >= 1 and row["made"]["red"] == 0

    def test_access_log_cannot_be_edited(self, village_a1_rep, household_a1):
        from django.db import DatabaseError, transaction

        from apps.core.access_log import record_access

        record_access(village_a1_rep, household_a1)
        entry = AccessLog.objects.get()
        with pytest.raises(DatabaseError), transaction.atomic():
            AccessLog.objects.filter(pk=entry.pk).update(record_label="篡改")
        with pytest.raises(DatabaseError), transaction.atomic():
            entry.delete()
        assert AccessLog.objects.get().record_label == "张桂芳"


@pytest.mark.django_db
def test_cases_opened_between_local_days_include_both_whole_days(village_a1_rep, household_a1):
    """The range of moments stands for the local dates, as the days' figures have always
    counted them (Asia/Shanghai is eight hours ahead of UTC)."""
    zone = timezone.get_current_timezone()
    _visit, case = log_need(village_a1_rep, household_a1)
    moments = {
        "day before, last minute": datetime(2026, 2, 28, 23, 59, tzinfo=zone),
        "first day, midnight": datetime(2026, 3, 1, 0, 0, tzinfo=zone),
        "last day, late evening": datetime(2026, 3, 31, 23, 30, tzinfo=zone),
        "day after, midnight": datetime(2026, 4, 1, 0, 0, tzinfo=zone),
    }
    cases = {}
    for label, moment in moments.items():
        case.pk = None
        case.opened_at = moment
        case.save()
        cases[label] = case.pk
    opened = set(
        Case.objects.opened_between(date(2026, 3, 1), date(2026, 3, 31)).values_list(
            "pk", flat=True
        )
    )
    assert opened == {cases["first day, midnight"], cases["last day, late evening"]}
