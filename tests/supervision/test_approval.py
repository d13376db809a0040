"""A unit may need its leader's approval before its feedback reaches the supervisor (a setting
per unit, off by default, kept by county admins)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from apps.core import todo
from apps.core.roles import Role
from apps.notifications.models import Notification
from apps.supervision import services
from apps.supervision.admin import UnitSupervisionSettingForm
from apps.supervision.models import ItemFeedback, ItemLog, ProgressDue, UnitSupervisionSetting
from tests.conftest import make_user
from tests.supervision.conftest import assign, at


@pytest.fixture
def dept_head(county):
    return make_user("dept_head", Role.DEPT_LIAISON, county.department)


@pytest.fixture
def approval_on(county, dept_head):
    setting = UnitSupervisionSetting.objects.create(unit=county.department, requires_approval=True)
    setting.approvers.set([dept_head])
    return setting


def refused(field, step, *args, **kwargs):
    before = (
        ItemLog.objects.count(),
        list(ItemFeedback.objects.values_list("approval", "approved_by")),
        list(ProgressDue.objects.values_list("fed_back_at", flat=True)),
    )
    with pytest.raises(ValidationError) as error:
        step(*args, **kwargs)
    after = (
        ItemLog.objects.count(),
        list(ItemFeedback.objects.values_list("approval", "approved_by")),
        list(ProgressDue.objects.values_list("fed_back_at", flat=True)),
    )
    assert after == before
    assert field in error.value.message_dict
    return error.value


def test_feedback_waits_for_the_unit_leader(
    clock, item, approval_on, county_admin, dept_liaison, dept_head, township_a_staff
):
    services.accept_item(dept_liaison, item)
    services.feed_back(dept_liaison, item, text="全县已建立台账")
    item.refresh_from_db()
    feedback = ItemFeedback.objects.get(item=item, is_lead=True)
    assert (item.state, item.feedback_at, feedback.approval) == ("in_progress", None, "pending")
    assert not Notification.objects.filter(
        recipient=county_admin, key__startswith="supervision-feedback"
    )
    assert Notification.objects.filter(
        recipient=dept_head, key=f"supervision-approve:{feedback.pk}"
    )
    assert [line.kind for line in todo.todo_for(dept_head)].count("supervision-approval") == 1
    assert "supervision-approval" not in [line.kind for line in todo.todo_for(dept_liaison)]
    # One waits at a time; only a named approver decides; a return needs a reason.
    with pytest.raises(ValidationError):
        services.feed_back(dept_liaison, item, text="再次反馈")
    for stranger in (dept_liaison, county_admin, township_a_staff):
        error = refused("feedback", services.approve_feedback, stranger, item)
        assert "县教育局" in error.message_dict["feedback"][0]
    refused("reason", services.return_feedback, dept_head, item, reason=" ")
    services.return_feedback(dept_head, item, reason="数据需核实")
    feedback.refresh_from_db()
    assert (feedback.approval, feedback.approval_note, feedback.approved_by) == (
        "returned",
        "数据需核实",
        dept_head,
    )
    refused("feedback", services.approve_feedback, dept_head, item)
    # Fed back again and approved the next day: it reaches the supervisor then.
    services.feed_back(dept_liaison, item, text="已核实")
    clock.move_to(at(2026, 11, 24, 9, 0))
    services.approve_feedback(dept_head, item)
    item.refresh_from_db()
    assert (item.state, item.feedback_at) == ("feedback", at(2026, 11, 24, 9, 0))
    assert Notification.objects.filter(
        recipient=county_admin, key__startswith="supervision-feedback"
    )
    assert list(ItemLog.objects.filter(item=item).values_list("action", flat=True))[-4:] == [
        "feedback",
        "return_feedback",
        "feedback",
        "approve_feedback",
    ]


def test_progress_feedback_waits_too(
    clock, county, approval_on, county_admin, dept_liaison, dept_head
):
    item = assign(
        county_admin,
        county,
        deadline=date(2027, 3, 31),
        progress_cycle="quarterly",
        progress_day=25,
    )
    services.accept_item(dept_liaison, item)
    services.feed_back_progress(dept_liaison, item, text="一季度进展")
    period = ProgressDue.objects.get(item=item, due=date(2026, 12, 25))
    assert period.fed_back_at is None
    services.approve_feedback(dept_head, item)
    period.refresh_from_db()
    assert period.fed_back_at == at(2026, 11, 23, 10, 0)


def test_cooperating_feedback_needs_no_approval(
    clock, county, item, county_admin, dept_liaison, township_a_staff, dept_head
):
    setting = UnitSupervisionSetting.objects.create(unit=county.township_a, requires_approval=True)
    setting.approvers.set([township_a_staff])
    services.feed_back(township_a_staff, item, text="甲镇已摸底")
    assert ItemFeedback.objects.get(item=item).approval == ""


def test_off_by_default_and_through_the_api(
    clock, item, approval_on, dept_liaison, dept_head, county_admin, api_as
):
    services.accept_item(dept_liaison, item)
    services.feed_back(dept_liaison, item, text="完成")
    url = f"/api/v1/supervision-items/{item.pk}/"
    assert api_as(dept_liaison).post(url + "approve-feedback/", {}).status_code == 400
    assert api_as(county_admin).post(url + "approve-feedback/", {}).status_code == 403
    response = api_as(dept_head).post(url + "return-feedback/", {"reason": "补充"})
    assert response.status_code == 200
    assert response.json()["feedbacks"][0]["approval"] == "returned"
    approval_on.requires_approval = False
    approval_on.save()
    services.feed_back(dept_liaison, item, text="补充完成")
    item.refresh_from_db()
    assert item.state == "feedback"


def test_the_setting_names_approvers_of_the_unit_only(county, dept_head, township_a_staff):
    form = UnitSupervisionSettingForm(
        {
            "unit": county.department.pk,
            "requires_approval": True,
            "approvers": [township_a_staff.pk],
        }
    )
    assert not form.is_valid() and "approvers" in form.errors
    form = UnitSupervisionSettingForm({"unit": county.department.pk, "requires_approval": True})
    assert not form.is_valid() and "approvers" in form.errors
    form = UnitSupervisionSettingForm({"unit": county.village_a1.pk, "requires_approval": False})
    assert not form.is_valid() and "unit" in form.errors
    form = UnitSupervisionSettingForm(
        {"unit": county.department.pk, "requires_approval": True, "approvers": [dept_head.pk]}
    )
    assert form.is_valid(), form.errors


def test_county_admins_keep_the_setting_on_a_page(
    county, county_admin, dept_liaison, dept_head, township_a_staff, client_as
):
    url = f"/supervision/settings/{county.department.pk}/"
    assert client_as(county_admin).get("/supervision/settings/").status_code == 200
    for other in (dept_liaison, township_a_staff):
        assert client_as(other).get(url).status_code == 403
    response = client_as(county_admin).post(
        url, {"requires_approval": "on", "approvers": [township_a_staff.pk]}
    )
    assert response.status_code == 200 and not UnitSupervisionSetting.objects.exists()
    response = client_as(county_admin).post(url, {"requires_approval": "on"})
    assert response.status_code == 200 and not UnitSupervisionSetting.objects.exists()
    assert "至少" in response.content.decode() or response.context["form"].errors
    response = client_as(county_admin).post(
        url, {"requires_approval": "on", "approvers": [dept_head.pk]}
    )
    assert response.status_code == 302
    setting = UnitSupervisionSetting.objects.get(unit=county.department)
    assert setting.requires_approval and list(setting.approvers.all()) == [dept_head]
    assert services.needs_approval(county.department)
    assert (
        client_as(county_admin).get(f"/supervision/settings/{county.village_a1.pk}/").status_code
        == 404
    )
    with pytest.raises(ValidationError):
        services.save_unit_setting(county_admin, county.department, requires_approval=True)
