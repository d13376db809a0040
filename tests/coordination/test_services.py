"""The referral rules: consent or a county override with a reason, an active service that takes
the case's category, sensitive cases only where allowed, the department's steps and what comes
back to the case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from apps.coordination import services
from apps.coordination.models import Referral, Service
from apps.liaison.models import Case, FollowUp
from apps.notifications.models import Notification


def refer(user, case, service, **kwargs):
    return services.refer_case(
        user, case, service=service, **({"consent": True, "consent_method": "verbal"} | kwargs)
    )


def test_referring_with_consent_shares_the_need_and_her_contact(
    village_a1_rep, case_a1, school_aid, dept_liaison
):
    referral = refer(village_a1_rep, case_a1, school_aid, note="请尽快")
    case_a1.refresh_from_db()
    assert case_a1.state == Case.State.REFERRED
    assert referral.state == Referral.State.SENT
    assert referral.department == school_aid.department
    assert referral.need == "孩子辍学，需资助"
    assert referral.shared_contact == "张桂芳 13812345678"
    assert referral.consent_recorded_by == village_a1_rep
    assert referral.accept_due > referral.sent_at
    assert Notification.objects.filter(recipient=dept_liaison, key=f"referral-sent:{referral.pk}")


def test_a_retry_answers_with_the_same_referral(village_a1_rep, case_a1, school_aid):
    first = refer(village_a1_rep, case_a1, school_aid)
    again = refer(village_a1_rep, case_a1, school_aid)
    assert again.pk == first.pk
    assert Referral.objects.count() == 1
    assert FollowUp.objects.filter(case=case_a1, state_to="referred").count() == 1


def test_without_consent_nothing_is_written(village_a1_rep, case_a1, school_aid):
    with pytest.raises(ValidationError) as error:
        refer(village_a1_rep, case_a1, school_aid, consent=False, consent_method="")
    assert "consent" in error.value.message_dict
    assert not Referral.objects.exists()
    case_a1.refresh_from_db()
    assert case_a1.state == Case.State.OPEN


def test_consent_needs_how_it_was_given(village_a1_rep, case_a1, school_aid):
    with pytest.raises(ValidationError) as error:
        refer(village_a1_rep, case_a1, school_aid, consent_method="")
    assert "consent_method" in error.value.message_dict


def test_a_representative_cannot_override_consent(village_a1_rep, case_a1, school_aid):
    with pytest.raises(ValidationError) as error:
        refer(village_a1_rep, case_a1, school_aid, consent=False, override_reason="紧急")
    assert "override_reason" in error.value.message_dict
    assert not Referral.objects.exists()


def test_county_staff_override_with_a_reason_shares_nothing_of_her(
    county_admin, case_a1, school_aid
):
    referral = refer(county_admin, case_a1, school_aid, consent=False, override_reason="失联紧急")
    assert referral.overridden_by == county_admin
    assert referral.need == "" and referral.shared_contact == ""
    note = FollowUp.objects.get(case=case_a1, state_to="referred").note
    assert "失联紧急" in note


def test_county_staff_override_needs_a_reason(county_admin, case_a1, school_aid):
    with pytest.raises(ValidationError):
        refer(county_admin, case_a1, school_aid, consent=False, override_reason="  ")


def test_a_paused_service_takes_no_referral(village_a1_rep, case_a1, school_aid):
    Service.objects.filter(pk=school_aid.pk).update(status="paused")
    school_aid.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        refer(village_a1_rep, case_a1, school_aid)
    assert "service" in error.value.message_dict


def test_a_service_takes_only_its_categories(village_a1_rep, case_a1, police_help):
    with pytest.raises(ValidationError) as error:
        refer(village_a1_rep, case_a1, police_help)
    assert "service" in error.value.message_dict


def test_a_sensitive_case_goes_only_where_allowed(village_a1_rep, violence_a1, county):
    from tests.coordination.conftest import make_service

    counselling = make_service(county.department, case_categories=["violence"])
    with pytest.raises(ValidationError):
        refer(village_a1_rep, violence_a1, counselling)
    with override_settings(REFERRAL_SENSITIVE_DEPARTMENTS=[county.department.code]):
        assert refer(village_a1_rep, violence_a1, counselling).is_sensitive


def test_a_sensitive_case_to_a_flagged_service(village_a1_rep, violence_a1, police_help):
    referral = refer(village_a1_rep, violence_a1, police_help)
    assert referral.is_sensitive


def test_only_a_handler_of_the_case_refers_it(
    village_b1_rep, dept_liaison, leader, case_a1, school_aid
):
    for user in (village_b1_rep, dept_liaison, leader):
        with pytest.raises(PermissionDenied):
            refer(user, case_a1, school_aid)


def test_the_department_accepts_works_and_completes(
    village_a1_rep, dept_liaison, case_a1, school_aid
):
    referral = refer(village_a1_rep, case_a1, school_aid)
    referral = services.accept_referral(dept_liaison, referral)
    assert referral.state == Referral.State.ACCEPTED and referral.complete_due
    referral = services.start_referral(dept_liaison, referral)
    assert referral.state == Referral.State.IN_PROGRESS
    with pytest.raises(ValidationError) as error:
        services.complete_referral(dept_liaison, referral, outcome=" ")
    assert "outcome" in error.value.message_dict
    referral = services.complete_referral(dept_liaison, referral, outcome="已发放助学金")
    assert referral.state == Referral.State.COMPLETED
    case_a1.refresh_from_db()
    assert case_a1.state == Case.State.IN_PROGRESS
    last = case_a1.follow_ups.order_by("-pk").first()
    assert "已发放助学金" in last.note
    keys = set(Notification.objects.filter(recipient=village_a1_rep).values_list("key", flat=True))
    assert {f"referral-{step}:{referral.pk}" for step in ("accept", "start", "complete")} <= keys
    # A retry changes nothing: no second follow-up.
    count = case_a1.follow_ups.count()
    services.complete_referral(dept_liaison, referral, outcome="已发放助学金")
    assert case_a1.follow_ups.count() == count


def test_a_declined_referral_returns_with_its_reason(
    village_a1_rep, dept_liaison, case_a1, school_aid
):
    referral = refer(village_a1_rep, case_a1, school_aid)
    with pytest.raises(ValidationError):
        services.decline_referral(dept_liaison, referral, reason="")
    referral = services.decline_referral(dept_liaison, referral, reason="不符合条件")
    assert referral.state == Referral.State.DECLINED
    case_a1.refresh_from_db()
    assert case_a1.state == Case.State.IN_PROGRESS
    assert "不符合条件" in case_a1.follow_ups.order_by("-pk").first().note
    services.decline_referral(dept_liaison, referral, reason="不符合条件")
    assert case_a1.follow_ups.filter(note__contains="不符合条件").count() == 1


def test_only_the_departments_liaison_answers(
    village_a1_rep, county_admin, police_liaison, case_a1, school_aid
):
    referral = refer(village_a1_rep, case_a1, school_aid)
    for user in (village_a1_rep, county_admin, police_liaison):
        with pytest.raises(PermissionDenied):
            services.accept_referral(user, referral)


def test_steps_follow_the_order(village_a1_rep, dept_liaison, case_a1, school_aid):
    referral = refer(village_a1_rep, case_a1, school_aid)
    with pytest.raises(ValidationError):
        services.start_referral(dept_liaison, referral)
    with pytest.raises(ValidationError):
        services.complete_referral(dept_liaison, referral, outcome="x")


def test_a_liaison_keeps_only_her_own_departments_services(dept_liaison, police, county):
    service = services.save_service(
        dept_liaison,
        department=county.department,
        name="心理辅导",
        kind="people",
        description="学生心理辅导",
        case_categories=["mental"],
        status="active",
    )
    assert service.verified_by == dept_liaison and service.verified_at
    with pytest.raises(ValidationError):
        services.save_service(
            dept_liaison, department=police, name="x", kind="people", description="d"
        )
