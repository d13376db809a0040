"""部门转来: a department refers a woman to the federation; the receiving staff accept her into
a village and a representative (a household and a case open) or decline with a reason. Every
rule and every bad input: a clear message, nothing written."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from apps.coordination import services
from apps.coordination.models import IncomingReferral
from apps.core.deadlines import add_working_days
from apps.core.models import DeadlineRule
from apps.core.roles import Role
from apps.liaison import services as liaison
from apps.liaison.models import Case, Contact
from apps.notifications.models import Notification
from tests.conftest import make_user


def send(liaison_user, department, unit, **values):
    body = {
        "category": "violence",
        "need": "家暴警情出警后，当事人需要心理疏导与法律援助",
        "name": "王秀英",
        "phone": "13700001111",
        "consent": True,
        "consent_method": "written",
    }
    return services.refer_to_federation(
        liaison_user, department=department, unit=unit, **(body | values)
    )


@pytest.fixture
def sent(police_liaison, police, county, township_a_staff, county_admin):
    return send(police_liaison, police, county.township_a, village=county.village_a1)


def messages_of(error):
    return error.value.message_dict


def test_the_default_rule_is_stored_for_the_admin(db):
    # The data migration's own step, run again: a transactional test elsewhere may have
    # emptied the table the migration filled.
    from django.apps import apps

    migration = importlib.import_module("apps.coordination.migrations.0005_incoming_referrals")
    migration.seed_accept_rule(apps, None)
    rule = DeadlineRule.objects.get(kind="incoming-referral", state="accept")
    assert (rule.days, rule.hours, rule.working_days) == (1, 0, True)


def test_the_police_refer_a_woman_to_a_township(
    police_liaison, police, county, township_a_staff, county_admin, holiday_calendar
):
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        referral = send(police_liaison, police, county.township_a, village=county.village_a1)
    assert referral.state == "sent"
    # Violence is sensitive whatever the department ticks.
    assert referral.is_sensitive
    assert referral.consent_recorded_by == police_liaison
    # One working day: Friday's referral is due on Monday.
    assert referral.accept_due.date() == add_working_days(referral.sent_at.date(), 1)
    assert referral.accept_due.date().isoformat() == "2026-11-30"
    # The township's staff hear of it; the county's do not (it is not addressed to them).
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"township_a_staff"}
    assert referral.number == f"{referral.sent_at:%Y}-{referral.pk:05d}"


def test_a_referral_to_the_county_tells_county_staff(
    police_liaison, police, county, county_admin, township_a_staff
):
    send(police_liaison, police, county.county, category="hardship")
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"county_admin"}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"consent": False}, "consent", "转介前请记录当事妇女的同意"),
        ({"consent_method": ""}, "consent_method", "请说明她以何种方式表示同意。"),
        ({"need": "  "}, "need", "请说明她的需求。"),
        ({"name": ""}, "name", "请填写她的姓名"),
    ],
)
def test_bad_input_writes_nothing(police_liaison, police, county, values, field, message):
    with pytest.raises(ValidationError) as error:
        send(police_liaison, police, county.township_a, **values)
    assert message in messages_of(error)[field][0]
    assert not IncomingReferral.objects.exists()


def test_a_department_cannot_send_for_another(police_liaison, county):
    with pytest.raises(ValidationError) as error:
        send(police_liaison, county.department, county.township_a)
    assert "只能以本部门名义转介" in messages_of(error)["department"][0]
    assert not IncomingReferral.objects.exists()


def test_only_the_county_federation_or_its_townships_receive(police_liaison, police, county):
    for unit in (county.village_a1, county.department):
        with pytest.raises(ValidationError) as error:
            send(police_liaison, police, unit)
        assert "县妇联" in messages_of(error)["unit"][0]
    assert not IncomingReferral.objects.exists()


def test_her_village_lies_under_the_unit(police_liaison, police, county):
    with pytest.raises(ValidationError) as error:
        send(police_liaison, police, county.township_a, village=county.village_b1)
    assert "village" in messages_of(error)
    assert not IncomingReferral.objects.exists()


def test_the_township_accepts_her_into_a_case(
    sent, township_a_staff, rep_a1, police_liaison, village_a1_rep
):
    referral = services.accept_incoming_referral(
        township_a_staff, sent, village=rep_a1.unit, representative=rep_a1
    )
    assert referral.state == "accepted" and referral.handled_by == township_a_staff
    case = referral.case
    assert case.representative == rep_a1 and case.unit == rep_a1.unit
    assert case.is_sensitive and case.category == "violence"
    assert case.description == sent.need
    assert (case.contact.name, case.contact.phone) == ("王秀英", "13700001111")
    assert "县公安局" in case.follow_ups.get().note
    # The township that accepted the sensitive case may open it; the representative too.
    assert liaison.cases_for(township_a_staff).filter(pk=case.pk).exists()
    assert liaison.cases_for(village_a1_rep).filter(pk=case.pk).exists()
    assert Notification.objects.filter(
        recipient=police_liaison, key=f"incoming-referral-accepted:{referral.pk}"
    ).exists()
    assert Notification.objects.filter(
        recipient=village_a1_rep, key=f"case-from-referral:{case.pk}"
    ).exists()


def test_an_existing_household_is_reused(
    police_liaison, police, county, township_a_staff, rep_a1, household_a1
):
    referral = send(
        police_liaison, police, county.township_a, name=household_a1.name, phone=household_a1.phone
    )
    referral = services.accept_incoming_referral(
        township_a_staff, referral, village=county.village_a1, representative=rep_a1
    )
    assert referral.case.contact == household_a1
    assert Contact.objects.count() == 1


def test_her_household_with_another_representative_is_named(
    police_liaison, police, county, township_a_staff, rep_a1, household_a1
):
    other = make_user("village_a1_rep2", Role.VILLAGE_REP, county.village_a1)
    from tests.liaison.conftest import make_representative

    second = make_representative(other, county.village_a1, "A1-02")
    referral = send(
        police_liaison, police, county.township_a, name=household_a1.name, phone=household_a1.phone
    )
    with pytest.raises(ValidationError) as error:
        services.accept_incoming_referral(
            township_a_staff, referral, village=county.village_a1, representative=second
        )
    assert "的联系户" in messages_of(error)["representative"][0]
    assert not Case.objects.exists()
    assert IncomingReferral.objects.get().state == "sent"


def test_county_staff_accept_into_any_village(sent, county_admin, rep_b1, county):
    referral = services.accept_incoming_referral(
        county_admin, sent, village=county.village_b1, representative=rep_b1
    )
    assert referral.case.unit == county.village_b1


def test_township_staff_accept_only_into_their_villages(sent, township_a_staff, rep_b1, county):
    with pytest.raises(ValidationError) as error:
        services.accept_incoming_referral(
            township_a_staff, sent, village=county.village_b1, representative=rep_b1
        )
    assert "本辖区" in messages_of(error)["village"][0]
    assert not Case.objects.exists()


def test_the_representative_is_of_that_village(sent, township_a_staff, rep_b1, county):
    with pytest.raises(ValidationError) as error:
        services.accept_incoming_referral(
            township_a_staff, sent, village=county.village_a1, representative=rep_b1
        )
    assert "该村（社区）的执委" in messages_of(error)["representative"][0]
    assert not Case.objects.exists()


def test_accepting_twice_is_refused(sent, township_a_staff, county_admin, rep_a1, county):
    services.accept_incoming_referral(
        township_a_staff, sent, village=county.village_a1, representative=rep_a1
    )
    with pytest.raises(ValidationError) as error:
        services.accept_incoming_referral(
            county_admin, sent, village=county.village_a1, representative=rep_a1
        )
    assert "已签收" in error.value.messages[0]
    assert Case.objects.count() == 1
    with pytest.raises(ValidationError):
        services.decline_incoming_referral(township_a_staff, sent, reason="重复")


def test_only_the_addressed_unit_answers(sent, county, rep_a1):
    township_b_staff = make_user("township_b_staff", Role.TOWNSHIP_STAFF, county.township_b)
    with pytest.raises(PermissionDenied):
        services.accept_incoming_referral(
            township_b_staff, sent, village=county.village_a1, representative=rep_a1
        )
    with pytest.raises(PermissionDenied):
        services.decline_incoming_referral(township_b_staff, sent, reason="不属本镇")
    assert IncomingReferral.objects.get().state == "sent"


def test_declining_needs_a_reason_and_returns_her_to_the_department(
    sent, township_a_staff, police_liaison
):
    with pytest.raises(ValidationError) as error:
        services.decline_incoming_referral(township_a_staff, sent, reason=" ")
    assert "reason" in messages_of(error)
    assert IncomingReferral.objects.get().state == "sent"
    referral = services.decline_incoming_referral(township_a_staff, sent, reason="户籍不在本镇")
    assert (referral.state, referral.reason) == ("declined", "户籍不在本镇")
    assert referral.case is None
    assert Notification.objects.filter(
        recipient=police_liaison, key=f"incoming-referral-declined:{referral.pk}"
    ).exists()
    with pytest.raises(ValidationError) as error:
        services.accept_incoming_referral(
            township_a_staff, referral, village=None, representative=None
        )
    assert "已退回的转介不能签收" in error.value.messages[0]


def test_the_receiving_staff_have_it_on_their_to_do_list(
    sent, township_a_staff, county_admin, police_liaison, api_as
):
    def kinds(user):
        rows = api_as(user).get("/api/v1/todo/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        return [row["kind"] for row in rows]

    assert kinds(township_a_staff).count("incoming-referral") == 1
    # Addressed to township A, not to the county federation.
    assert "incoming-referral" not in kinds(county_admin)
    assert "incoming-referral" not in kinds(police_liaison)
