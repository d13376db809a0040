"""联席会议议定 → 督办事项: a joint-meeting decision becomes a supervised item and keeps its link;
the item's clocks take over from the decision's, and closing the item settles the decision."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from apps.coordination import services as coordination
from apps.coordination.models import MeetingDecision
from apps.core import todo
from apps.supervision import services
from apps.supervision.models import SupervisionItem
from tests.supervision.conftest import assign


@pytest.fixture
def decision(clock, county, county_admin, dept_liaison):
    """An open decision of a meeting held last week, owned by 县教育局, due 2026-12-31."""
    coordination.add_member(
        county_admin, department=county.department, joined_on=date(2025, 1, 1), officer=dept_liaison
    )
    meeting = coordination.save_meeting(
        county_admin,
        title="妇女儿童工作联席会议",
        held_on=date(2026, 11, 16),
        place="县政府会议室",
        agenda="部署女童资助",
        minutes="会议议定一项工作。",
        departments=[county.department],
        decisions=[
            {"text": "开展女童资助摸底", "owner": county.department, "deadline": date(2026, 12, 31)}
        ],
    )
    return meeting.decisions.get()


def take_over(admin, county, decision, **values):
    return assign(
        admin,
        county,
        source="superior",
        lead_unit=None,
        deadline=None,
        meeting_decision=decision,
        **values,
    )


def test_a_decision_becomes_an_item_led_by_its_owner_by_its_deadline(
    decision, county, county_admin, dept_liaison
):
    assert any(i.kind == "meeting_decision" for i in todo.todo_for(dept_liaison))
    item = take_over(county_admin, county, decision)
    assert item.source == SupervisionItem.Source.MEETING
    assert (item.lead_unit, item.deadline) == (county.department, date(2026, 12, 31))
    decision.refresh_from_db()
    assert decision.state == MeetingDecision.State.SUPERVISED
    # The item's own to-do replaces the decision's; the decision is no longer to be taken over.
    kinds = {i.kind for i in todo.todo_for(dept_liaison)}
    assert "meeting_decision" not in kinds and "supervision-item" in kinds
    assert not coordination.decisions_for_supervision(county_admin).exists()


def test_closing_the_item_settles_the_decision(clock, decision, county, county_admin, dept_liaison):
    item = take_over(county_admin, county, decision)
    services.accept_item(dept_liaison, item)
    services.feed_back(dept_liaison, item, text="摸底完成，建立台账")
    services.close_item(county_admin, item, evaluation="satisfied")
    decision.refresh_from_db()
    assert decision.state == MeetingDecision.State.DONE
    assert decision.done_by == county_admin and item.title in decision.done_note


def test_a_decision_is_taken_over_once_and_only_while_open(
    decision, county, county_admin, dept_liaison
):
    take_over(county_admin, county, decision)
    with pytest.raises(ValidationError) as caught:
        take_over(county_admin, county, decision)
    assert "meeting_decision" in caught.value.message_dict
    assert SupervisionItem.objects.count() == 1


def test_a_supervised_decision_stays_in_its_meeting_as_it_is(decision, county, county_admin):
    take_over(county_admin, county, decision)
    meeting = decision.meeting
    with pytest.raises(ValidationError, match="督办|supervision"):
        coordination.save_meeting(county_admin, meeting, decisions=[])
    with pytest.raises(ValidationError, match="督办|supervision"):
        coordination.save_meeting(
            county_admin,
            meeting,
            decisions=[
                {
                    "id": decision.pk,
                    "text": "改写",
                    "owner": county.department,
                    "deadline": decision.deadline,
                }
            ],
        )
    assert MeetingDecision.objects.get().text == "开展女童资助摸底"


def test_the_api_takes_a_decision_over(decision, api_as, county_admin, county):
    response = api_as(county_admin).post(
        "/api/v1/supervision-items/",
        {
            "title": "女童资助摸底",
            "description": "按联席会议议定落实",
            "meeting_decision": decision.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["meeting_decision"] == decision.pk and body["source"] == "meeting"
    assert body["lead_unit"] == county.department.pk and body["deadline"] == "2026-12-31"
    again = api_as(county_admin).post(
        "/api/v1/supervision-items/",
        {"title": "再次", "description": "重复", "meeting_decision": decision.pk},
        format="json",
    )
    assert again.status_code == 400 and "meeting_decision" in again.json()


def test_the_form_starts_from_the_decision_and_the_item_links_back(
    decision, client_as, county_admin, township_a_staff, county
):
    admin = client_as(county_admin)
    response = admin.get(f"/supervision/items/new/?decision={decision.pk}")
    page = response.content.decode()
    print(
        "DBG",
        response.status_code,
        response.get("Location"),
        page[page.find("id_deadline") : page.find("id_deadline") + 500],
    )
    # The date picker takes only ISO dates, whatever the language's own date format.
    assert "开展女童资助摸底" in page and 'value="2026-12-31"' in page
    response = admin.post(
        "/supervision/items/new/",
        {
            "title": "开展女童资助摸底",
            "description": "联席会议议定",
            "source": "meeting",
            "priority": "normal",
            "meeting_decision": decision.pk,
            "cooperating_units": [county.township_a.pk],
        },
    )
    item = SupervisionItem.objects.get()
    assert response.status_code == 302 and item.meeting_decision == decision
    assert decision.get_absolute_url() in admin.get(item.get_absolute_url()).content.decode()
    # The cooperating township cannot open the decision: the item names no link it may not use.
    page = client_as(township_a_staff).get(item.get_absolute_url()).content.decode()
    assert 'data-testid="meeting-decision"' not in page
