"""The domestic-violence pathway (反家庭暴力法, 多部门联动) on a sensitive case: warning letters
and their 查访, protection orders and the court's clock, the mandatory report, shelter; every
rule, every bad input (a clear message, nothing written) and the to-do list."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.coordination import services
from apps.coordination.models import (
    FollowUpVisit,
    MandatoryReport,
    ProtectionOrder,
    Service,
    WarningLetter,
)
from apps.core import todo
from apps.liaison import services as liaison
from apps.notifications.models import Notification
from tests.coordination.conftest import make_service

TODAY = timezone.localdate


def letter(user, case, days_ago=1, **values):
    return services.record_warning_letter(
        user,
        case,
        **{"issued_on": TODAY() - timedelta(days=days_ago), "issued_by": "城关派出所"} | values,
    )


def order(user, case, hours_ago=1, **values):
    return services.apply_protection_order(
        user,
        case,
        **{"applied_at": timezone.now() - timedelta(hours=hours_ago), "court": "县人民法院"}
        | values,
    )


def nothing_written():
    return not (
        WarningLetter.objects.exists()
        or FollowUpVisit.objects.exists()
        or ProtectionOrder.objects.exists()
        or MandatoryReport.objects.exists()
    )


def refused(call, field=None):
    with pytest.raises(ValidationError) as error:
        call()
    if field is not None:
        assert field in error.value.message_dict
    return error.value


# --- warning letters and 查访 ------------------------------------------------------------------


def test_a_warning_letter_asks_the_village_for_a_follow_up_visit(village_a1_rep, violence_a1):
    made = letter(village_a1_rep, violence_a1, number="城公(家)告字〔2026〕1号")
    visit = made.follow_up_visit
    assert (made.unit, made.case, made.recorded_by) == (
        violence_a1.unit,
        violence_a1,
        village_a1_rep,
    )
    # 7 calendar days from today by default, moved off a holiday.
    assert TODAY() + timedelta(days=7) <= visit.due <= TODAY() + timedelta(days=14)
    assert visit.is_open
    assert made.get_absolute_url() == f"/coordination/cases/{violence_a1.pk}/pathway/"


def test_the_follow_up_visit_rule_is_editable(village_a1_rep, violence_a1):
    from importlib import import_module

    from apps.coordination.deadlines import FOLLOW_UP_VISIT_RULES, PROTECTION_ORDER_RULES
    from apps.core.models import DeadlineRule

    # The data migration stores the same defaults the code falls back on.
    migration = import_module("apps.coordination.migrations.0004_domestic_violence_pathway")
    stored = {(kind, state): (days, hours) for kind, state, days, hours, _w in migration.RULES}
    defaults = {
        ("follow-up-visit", state): (rule.days, rule.hours)
        for state, rule in FOLLOW_UP_VISIT_RULES.items()
    } | {
        ("protection-order", state): (rule.days, rule.hours)
        for state, rule in PROTECTION_ORDER_RULES.items()
    }
    assert stored == defaults
    DeadlineRule.objects.update_or_create(
        kind="follow-up-visit", state="visit", defaults={"days": 1, "working_days": False}
    )
    visit = letter(village_a1_rep, violence_a1).follow_up_visit
    # One calendar day, moved off a weekend or holiday.
    assert TODAY() + timedelta(days=1) <= visit.due <= TODAY() + timedelta(days=8)


def test_two_letters_mark_the_family_for_closer_follow_up(
    village_a1_rep, violence_a1, household_a1
):
    letter(village_a1_rep, violence_a1, days_ago=30)
    household_a1.refresh_from_db()
    assert household_a1.risk == "green"
    letter(village_a1_rep, violence_a1)
    household_a1.refresh_from_db()
    # Visited as a red household from now on (liaison's visit-due rule, 7 days by default).
    assert household_a1.risk == "red"
    assert violence_a1.follow_ups.filter(note__contains="2").exists()


def test_warning_letter_bad_input_writes_nothing(village_a1_rep, case_a1, violence_a1):
    refused(lambda: letter(village_a1_rep, case_a1), "case")
    refused(lambda: letter(village_a1_rep, violence_a1, days_ago=-1), "issued_on")
    refused(lambda: letter(village_a1_rep, violence_a1, issued_by="  "), "issued_by")
    refused(lambda: letter(village_a1_rep, violence_a1, issued_on=None), "issued_on")
    assert nothing_written()


def test_the_follow_up_visit_is_recorded_once_with_her_visit(
    village_a1_rep, violence_a1, household_a1, household_b1, village_b1_rep
):
    visit = letter(village_a1_rep, violence_a1).follow_up_visit
    refused(lambda: services.record_follow_up_visit(village_a1_rep, visit, note=" "), "note")
    other = liaison.log_visit(
        village_b1_rep,
        visited_on=TODAY(),
        mode="home",
        contacts=[household_b1],
        summary="乙一村走访",
    )
    refused(
        lambda: services.record_follow_up_visit(village_a1_rep, visit, note="已查访", visit=other),
        "visit",
    )
    visit.refresh_from_db()
    assert visit.is_open
    logged = liaison.log_visit(
        village_a1_rep, visited_on=TODAY(), mode="home", contacts=[household_a1], summary="查访"
    )
    services.record_follow_up_visit(village_a1_rep, visit, note="已查访，暂无再犯", visit=logged)
    visit.refresh_from_db()
    assert (visit.done_by, visit.visit, visit.note) == (village_a1_rep, logged, "已查访，暂无再犯")
    refused(lambda: services.record_follow_up_visit(village_a1_rep, visit, note="again"))


# --- protection orders -------------------------------------------------------------------------


def test_the_court_has_72_hours_or_24_when_urgent(village_a1_rep, violence_a1):
    applied = timezone.now() - timedelta(hours=2)
    normal = order(village_a1_rep, violence_a1, applied_at=applied)
    urgent = order(village_a1_rep, violence_a1, applied_at=applied, urgent=True)
    assert normal.decide_due == applied + timedelta(hours=72)
    assert urgent.decide_due == applied + timedelta(hours=24)
    assert normal.outcome == "pending"


def test_the_decision_is_recorded_once_and_not_before_the_application(village_a1_rep, violence_a1):
    made = order(village_a1_rep, violence_a1, hours_ago=5)
    now = timezone.now()

    def decide(**values):
        return services.decide_protection_order(
            village_a1_rep, made, **{"outcome": "granted", "decided_at": now} | values
        )

    refused(lambda: decide(decided_at=now - timedelta(hours=6)), "decided_at")
    refused(lambda: decide(decided_at=now + timedelta(hours=1)), "decided_at")
    refused(lambda: decide(outcome="pending"), "outcome")
    refused(lambda: decide(outcome=""), "outcome")
    made.refresh_from_db()
    assert made.is_pending
    decide(note="裁定作出人身安全保护令")
    made.refresh_from_db()
    assert (made.outcome, made.decided_at) == ("granted", now)
    refused(lambda: decide(outcome="refused"))
    made.refresh_from_db()
    assert made.outcome == "granted"


def test_protection_order_bad_input_writes_nothing(village_a1_rep, case_a1, violence_a1):
    refused(lambda: order(village_a1_rep, case_a1), "case")
    refused(lambda: order(village_a1_rep, violence_a1, hours_ago=-2), "applied_at")
    refused(lambda: order(village_a1_rep, violence_a1, court=""), "court")
    assert nothing_written()


# --- the mandatory report ----------------------------------------------------------------------


def test_a_mandatory_report_is_flagged_once_then_reported(village_a1_rep, violence_a1):
    refused(
        lambda: services.flag_mandatory_report(village_a1_rep, violence_a1, reason=""), "reason"
    )
    assert nothing_written()
    report = services.flag_mandatory_report(village_a1_rep, violence_a1, reason="minor")
    refused(
        lambda: services.flag_mandatory_report(village_a1_rep, violence_a1, reason="minor"),
        "case",
    )
    now = timezone.now()
    refused(
        lambda: services.record_mandatory_report(
            village_a1_rep, report, reported_to="", reported_at=now
        ),
        "reported_to",
    )
    refused(
        lambda: services.record_mandatory_report(
            village_a1_rep, report, reported_to="县公安局", reported_at=now + timedelta(days=1)
        ),
        "reported_at",
    )
    report.refresh_from_db()
    assert not report.is_reported
    services.record_mandatory_report(
        village_a1_rep, report, reported_to="县公安局城关派出所", reported_at=now
    )
    report.refresh_from_db()
    assert (report.reported_to, report.reported_by) == ("县公安局城关派出所", village_a1_rep)
    refused(
        lambda: services.record_mandatory_report(
            village_a1_rep, report, reported_to="x", reported_at=now
        )
    )


def test_a_mandatory_report_only_on_a_sensitive_case(village_a1_rep, case_a1):
    refused(lambda: services.flag_mandatory_report(village_a1_rep, case_a1, reason="minor"), "case")
    assert nothing_written()


# --- who may write -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["township_a_staff", "village_b1_rep", "dept_liaison", "leader", "village_a1_rep2"]
)
def test_only_those_handling_the_case_write(role, request, violence_a1, village_a1_rep):
    user = request.getfixturevalue(role)
    made = letter(village_a1_rep, violence_a1)
    applied = order(village_a1_rep, violence_a1)
    steps = [
        lambda: letter(user, violence_a1),
        lambda: order(user, violence_a1),
        lambda: services.flag_mandatory_report(user, violence_a1, reason="minor"),
        lambda: services.record_follow_up_visit(user, made.follow_up_visit, note="x"),
        lambda: services.decide_protection_order(
            user, applied, outcome="granted", decided_at=timezone.now()
        ),
    ]
    for step in steps:
        with pytest.raises(PermissionDenied):
            step()
    assert WarningLetter.objects.count() == 1 and not MandatoryReport.objects.exists()


def test_the_township_writes_once_the_case_is_escalated_to_it(
    village_a1_rep, township_a_staff, violence_a1
):
    liaison.escalate_case(village_a1_rep, violence_a1)
    made = letter(township_a_staff, violence_a1)
    # The representative hears of her 查访 task, without the woman's name or words.
    note = Notification.objects.get(recipient=village_a1_rep, key__startswith="follow-up-visit")
    assert "张桂芳" not in note.title + note.body and "丈夫" not in note.title + note.body
    assert note.url == made.get_absolute_url()
    assert (
        not Notification.objects.filter(recipient=township_a_staff)
        .exclude(key__startswith="case-escalated")
        .exists()
    )


# --- shelter -----------------------------------------------------------------------------------


def test_shelter_is_a_referral_to_a_service_that_gives_it(
    village_a1_rep, violence_a1, county, police_help
):
    from apps.organizations.models import OrgUnit
    from tests.conftest import make_unit

    civil = make_unit("县民政局", "100903", OrgUnit.Kind.DEPARTMENT, county.county)
    shelter = make_service(
        civil,
        name="反家暴庇护站",
        kind=Service.Kind.PEOPLE,
        case_categories=["violence"],
        accepts_sensitive=True,
        provides_shelter=True,
    )
    make_service(civil, name="未接收敏感", case_categories=["violence"], provides_shelter=True)
    assert services.shelter_services_for(violence_a1) == [shelter]
    referral = services.refer_case(
        village_a1_rep, violence_a1, service=shelter, consent=True, consent_method="verbal"
    )
    assert referral.is_sensitive and referral.department == civil


# --- the to-do list ----------------------------------------------------------------------------


def titles(user):
    """Her to-do list's most urgent item of each kind."""
    items = {}
    for item in todo.todo_for(user):
        items.setdefault(item.kind, item)
    return items


def test_the_representatives_to_do_carries_the_follow_up_visit_and_the_report(
    village_a1_rep, violence_a1
):
    made = letter(village_a1_rep, violence_a1)
    services.flag_mandatory_report(village_a1_rep, violence_a1, reason="no_capacity")
    items = titles(village_a1_rep)
    assert items["follow-up-visit"].light == "green"
    assert items["follow-up-visit"].url == made.get_absolute_url()
    assert items["mandatory-report"].light == "red"
    text = " ".join(item.title for item in items.values())
    assert "张桂芳" not in text and "丈夫" not in text and "甲一村" in text
    services.record_follow_up_visit(village_a1_rep, made.follow_up_visit, note="已查访")
    assert "follow-up-visit" not in titles(village_a1_rep)


def test_a_late_follow_up_visit_is_red(village_a1_rep, violence_a1):
    made = letter(village_a1_rep, violence_a1)
    FollowUpVisit.objects.filter(pk=made.follow_up_visit.pk).update(due=TODAY() - timedelta(days=1))
    assert titles(village_a1_rep)["follow-up-visit"].light == "red"


def test_the_courts_clock_reaches_the_handling_side_when_near(
    village_a1_rep, township_a_staff, county_admin, violence_a1
):
    order(village_a1_rep, violence_a1, hours_ago=1)
    assert "protection-order" not in titles(village_a1_rep)  # 71 hours left
    order(village_a1_rep, violence_a1, hours_ago=20, urgent=True)  # 4 hours left
    assert titles(village_a1_rep)["protection-order"].light == "yellow"
    order(village_a1_rep, violence_a1, hours_ago=80)
    assert titles(village_a1_rep)["protection-order"].light == "red"
    # Not escalated: not the township's, nor the county's (it is not with them).
    assert "protection-order" not in titles(township_a_staff)
    liaison.escalate_case(village_a1_rep, violence_a1)
    assert titles(township_a_staff)["protection-order"].light == "red"
    assert "protection-order" not in titles(county_admin)


def test_nobody_else_has_the_pathways_to_do_items(
    village_a1_rep, violence_a1, village_a1_rep2, village_b1_rep, leader, dept_liaison
):
    letter(village_a1_rep, violence_a1)
    order(village_a1_rep, violence_a1, hours_ago=80)
    services.flag_mandatory_report(village_a1_rep, violence_a1, reason="minor")
    for user in (village_a1_rep2, village_b1_rep, leader, dept_liaison):
        assert not {"follow-up-visit", "protection-order", "mandatory-report"} & set(titles(user))
