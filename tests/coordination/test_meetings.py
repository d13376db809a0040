"""联席会议: the system's roll (conveners, member departments, 联络员 and their history), meetings
with their decisions saved all or nothing, the decisions' lights and to-do items, and who reads
what as each of the five roles."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.coordination import services
from apps.coordination.models import JointMeeting, LiaisonOfficer, MeetingDecision, MeetingFile
from apps.core import todo
from apps.core.models import DeadlineRule
from apps.core.roles import Role
from apps.notifications.models import Notification
from apps.organizations.models import OrgUnit
from tests.conftest import make_unit, make_user

TODAY = timezone.localdate


def days(n):
    return TODAY() + timedelta(days=n)


@pytest.fixture
def police(county):
    return make_unit("县公安局", "100902", OrgUnit.Kind.DEPARTMENT, county.county)


@pytest.fixture
def police_liaison(police):
    return make_user("police_liaison", Role.DEPT_LIAISON, police)


@pytest.fixture
def courts(county):
    """A department that is not a member of the joint-meeting system."""
    return make_unit("县法院", "100903", OrgUnit.Kind.DEPARTMENT, county.county)


@pytest.fixture
def courts_liaison(courts):
    return make_user("courts_liaison", Role.DEPT_LIAISON, courts)


@pytest.fixture
def members(county, county_admin, dept_liaison, police, police_liaison):
    """县教育局 (its liaison has an account) and 县公安局 (a name and phone) are members."""
    education = services.add_member(
        county_admin, department=county.department, joined_on=days(-400), officer=dept_liaison
    )
    police_member = services.add_member(
        county_admin,
        department=police,
        joined_on=days(-400),
        officer_name="赵警官",
        officer_phone="13911112222",
    )
    return {"education": education, "police": police_member}


def meeting_values(county, **changes):
    values = {
        "title": "第一次全体会议",
        "held_on": days(-10),
        "place": "县政府会议室",
        "agenda": "部署全年工作",
        "minutes": "会议研究了三项工作。",
        "departments": [county.department],
        "decisions": [
            {"text": "开展女童资助摸底", "owner": county.department, "deadline": days(20)}
        ],
    }
    return values | changes


@pytest.fixture
def meeting(county, county_admin, members):
    return services.save_meeting(county_admin, **meeting_values(county))


def refused(call, field):
    """The service refuses with a message on ``field``; returns the message."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


# --- the system's roll -------------------------------------------------------------------------


def test_a_member_department_has_a_liaison_officer_and_changes_keep_the_history(
    members, county_admin
):
    police = members["police"]
    first = police.officers.get()
    assert (first.name, first.phone, first.until) == ("赵警官", "13911112222", None)
    services.change_liaison_officer(
        county_admin, police, since=days(-30), name="钱警官", phone="13933334444"
    )
    history = list(LiaisonOfficer.objects.filter(member=police).order_by("since"))
    assert [(o.name, o.until) for o in history] == [("赵警官", days(-31)), ("钱警官", None)]
    assert police.current_officer.name == "钱警官"


def test_roll_refuses_bad_input(members, county, county_admin, dept_liaison):
    police = members["police"]
    message = refused(
        lambda: services.change_liaison_officer(county_admin, police, since=days(-500), name="x"),
        "since",
    )
    assert "之后" in message
    assert refused(
        lambda: services.change_liaison_officer(county_admin, police, since=days(1)), "name"
    )
    assert refused(
        lambda: services.add_member(
            county_admin, department=county.township_a, joined_on=days(0), officer_name="x"
        ),
        "department",
    )
    assert refused(
        lambda: services.add_member(
            county_admin, department=county.department, joined_on=days(0), officer_name="x"
        ),
        "department",
    )
    with pytest.raises(PermissionDenied):
        services.change_liaison_officer(dept_liaison, police, since=days(1), name="x")
    assert LiaisonOfficer.objects.count() == 2


def test_one_lead_convener(county_admin, leader):
    services.save_convener(county_admin, kind="lead", name="刘建华", convener_user=leader)
    assert refused(
        lambda: services.save_convener(county_admin, kind="lead", name="另一位"),
        "__all__",
    )


# --- meetings and decisions: the rules ------------------------------------------------------------


def test_a_meeting_is_saved_with_its_decisions_and_the_owner_is_told(
    meeting, dept_liaison, police_liaison
):
    decision = meeting.decisions.get()
    assert (decision.state, decision.owner.name) == ("open", "县教育局")
    assert Notification.objects.filter(recipient=dept_liaison, url=decision.get_absolute_url())
    assert not Notification.objects.filter(recipient=police_liaison).exists()


def one(owner, deadline, text="t"):
    return {"decisions": [{"text": text, "owner": owner, "deadline": deadline}]}


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        (one(None, days(5)), "decisions", "责任单位"),
        (one("dept", None), "decisions", "完成时限"),
        (one("township", days(5)), "decisions", "职能部门"),
        (one("dept", days(-20)), "decisions", "会议日期"),
        (one("dept", days(5), text=""), "decisions", "议定"),
        ({"departments": ["courts"]}, "departments", "县法院"),
        ({"held_on": days(3)}, "held_on", "召开"),
        ({"title": ""}, "title", "标题"),
    ],
)
def test_bad_meetings_are_refused_and_nothing_is_written(
    county, county_admin, members, courts, changes, field, fragment
):
    named = {"dept": county.department, "township": county.township_a, "courts": courts}

    def resolve(value):
        return named.get(value, value) if isinstance(value, str) else value

    if "decisions" in changes:
        changes["decisions"] = [
            {k: resolve(v) if k == "owner" else v for k, v in row.items()}
            for row in changes["decisions"]
        ]
    if "departments" in changes:
        changes["departments"] = [resolve(v) for v in changes["departments"]]
    message = refused(
        lambda: services.save_meeting(county_admin, **meeting_values(county, **changes)), field
    )
    assert fragment in message
    assert (JointMeeting.objects.count(), MeetingDecision.objects.count()) == (0, 0)
    assert not Notification.objects.exists()


def test_a_planned_meeting_may_be_recorded_without_minutes(county, county_admin, members):
    planned = services.save_meeting(
        county_admin, **meeting_values(county, held_on=days(7), minutes="", decisions=[])
    )
    assert planned.held_on == days(7)


def test_only_county_staff_record_meetings(county, dept_liaison, leader, members):
    for user in (dept_liaison, leader):
        with pytest.raises(PermissionDenied):
            services.save_meeting(user, **meeting_values(county))


def test_changing_a_meeting_replaces_its_open_decisions_all_or_nothing(
    meeting, county, county_admin, police
):
    kept = meeting.decisions.get()
    rows = [
        {"id": kept.pk, "text": "改后的事项", "owner": county.department, "deadline": days(30)},
        {"text": "新事项", "owner": police, "deadline": days(40)},
    ]
    services.save_meeting(
        county_admin, meeting, **meeting_values(county, departments=[police], decisions=rows)
    )
    assert sorted(meeting.decisions.values_list("text", flat=True)) == ["改后的事项", "新事项"]
    # A bad second row leaves the first unchanged too.
    bad = [{**rows[0], "text": "不应保存"}, {"text": "x", "owner": None, "deadline": days(5)}]
    refused(
        lambda: services.save_meeting(
            county_admin, meeting, **meeting_values(county, decisions=bad)
        ),
        "decisions",
    )
    assert sorted(meeting.decisions.values_list("text", flat=True)) == ["改后的事项", "新事项"]
    assert list(meeting.departments.all()) == [police]


def test_a_done_decision_cannot_be_changed_or_removed(meeting, county, county_admin, dept_liaison):
    decision = meeting.decisions.get()
    services.complete_decision(dept_liaison, decision, note="已完成摸底")
    changed = [{"id": decision.pk, "text": "改", "owner": county.department, "deadline": days(20)}]
    for rows in (changed, []):
        refused(
            lambda rows=rows: services.save_meeting(
                county_admin, meeting, **meeting_values(county, decisions=rows)
            ),
            "decisions",
        )
    assert MeetingDecision.objects.get(pk=decision.pk).text == "开展女童资助摸底"


def test_the_owner_liaison_marks_a_decision_done(
    meeting, dept_liaison, police_liaison, county_admin
):
    decision = meeting.decisions.get()
    with pytest.raises(PermissionDenied):
        services.complete_decision(police_liaison, decision, note="x")
    with pytest.raises(PermissionDenied):
        services.complete_decision(county_admin, decision, note="x")
    assert "做了什么" in refused(
        lambda: services.complete_decision(dept_liaison, decision, note=" "), "note"
    )
    done = services.complete_decision(dept_liaison, decision, note="已完成摸底")
    again = services.complete_decision(dept_liaison, decision, note="第二次")
    assert (done.state, again.done_note) == ("done", "已完成摸底")
    assert not done.done_late
    assert services.decision_status(done).reason == "done"
    assert Notification.objects.filter(recipient=county_admin, key__contains="done").count() == 1


# --- lights and the to-do list ----------------------------------------------------------------


def test_a_decision_has_a_light_from_the_deadline_engine(meeting, county_admin, county):
    decision = meeting.decisions.get()
    light = services.decision_status
    assert light(decision).light == "green"
    decision.deadline = days(3)
    assert (light(decision).light, light(decision).reason) == ("yellow", "due_soon")
    decision.deadline = days(-1)
    assert (light(decision).light, light(decision).reason) == ("red", "overdue")
    # The warning days are the admin's rule meeting_decision / warn (the migration stores the
    # code's default, 5; a transactional test elsewhere may have emptied the table).
    DeadlineRule.objects.filter(kind="meeting_decision").delete()
    decision.deadline = days(5)
    assert light(decision).light == "yellow"
    DeadlineRule.objects.create(kind="meeting_decision", state="warn", days=1)
    decision.deadline = days(3)
    assert light(decision).light == "green"


def test_open_decisions_are_on_the_owner_liaisons_to_do_list(meeting, dept_liaison, police_liaison):
    decision = meeting.decisions.get()
    items = [i for i in todo.todo_for(dept_liaison) if i.kind == "meeting_decision"]
    assert [(i.id, i.url, i.light) for i in items] == [
        (decision.pk, decision.get_absolute_url(), "green")
    ]
    assert not [i for i in todo.todo_for(police_liaison) if i.kind == "meeting_decision"]
    services.complete_decision(dept_liaison, decision, note="完成")
    assert not [i for i in todo.todo_for(dept_liaison) if i.kind == "meeting_decision"]


def test_supervision_takes_open_decisions_over(meeting, dept_liaison):
    decision = meeting.decisions.get()
    assert list(services.decisions_for_supervision()) == [decision]
    services.complete_decision(dept_liaison, decision, note="完成")
    assert list(services.decisions_for_supervision()) == []


# --- who reads what -------------------------------------------------------------------------------


@pytest.fixture
def meetings(county, county_admin, members, courts, police):
    """A meeting 教育局 attended; one only 公安局 attended, with a decision for 县法院 (not a
    member, not present)."""
    first = services.save_meeting(county_admin, **meeting_values(county))
    second = services.save_meeting(
        county_admin,
        **meeting_values(
            county,
            title="专题会议",
            departments=[police],
            decisions=[{"text": "法院事项", "owner": courts, "deadline": days(30)}],
        ),
    )
    return first, second


def ids(api, url):
    response = api.get(url)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_each_role_reads_its_meetings(
    meetings,
    api_as,
    county_admin,
    leader,
    dept_liaison,
    courts_liaison,
    township_a_staff,
    village_a1_rep,
):
    first, second = meetings
    both = {first.pk, second.pk}
    url = "/api/v1/meetings/"
    assert ids(api_as(county_admin), url) == both
    assert ids(api_as(leader), url) == both
    # A member department reads every meeting of the system.
    assert ids(api_as(dept_liaison), url) == both
    # Not a member nor present: none of the meetings, only the decision it owns.
    assert ids(api_as(courts_liaison), url) == set()
    owned = ids(api_as(courts_liaison), "/api/v1/meeting-decisions/")
    assert owned == set(second.decisions.values_list("pk", flat=True))
    assert api_as(courts_liaison).get(f"/api/v1/meetings/{second.pk}/").status_code == 404
    # Townships and villages have no part in the joint meetings.
    for user in (township_a_staff, village_a1_rep):
        assert ids(api_as(user), url) == set()
        assert ids(api_as(user), "/api/v1/meeting-decisions/") == set()
        assert api_as(user).get(f"/api/v1/meetings/{first.pk}/").status_code == 404


def test_the_roll_page_by_role(
    members, county_admin, leader, dept_liaison, township_a_staff, client_as
):
    for user in (county_admin, leader, dept_liaison):
        page = client_as(user).get("/coordination/meetings/members/").content.decode()
        assert "赵警官" in page
    # Staff see the 联络员's phone in full; another department masked.
    assert (
        "13911112222"
        in client_as(county_admin).get("/coordination/meetings/members/").content.decode()
    )
    shown = client_as(dept_liaison).get("/coordination/meetings/members/").content.decode()
    assert "139****2222" in shown and "13911112222" not in shown
    assert (
        "赵警官"
        not in client_as(township_a_staff).get("/coordination/meetings/members/").content.decode()
    )


def test_the_nav_item_is_for_the_roles_that_read_meetings(
    county_admin, leader, dept_liaison, township_a_staff, village_a1_rep, client_as
):
    for user, shown in [
        (county_admin, True),
        (leader, True),
        (dept_liaison, True),
        (township_a_staff, False),
        (village_a1_rep, False),
    ]:
        assert (
            'href="/coordination/meetings/"' in client_as(user).get("/").content.decode()
        ) is shown


# --- the API ------------------------------------------------------------------------------------


def test_the_api_writes_a_meeting_with_its_decisions_in_one_request(
    api_as, county, county_admin, members, police
):
    body = {
        "title": "第一次全体会议",
        "held_on": str(days(-5)),
        "departments": [county.department.pk, police.pk],
        "agenda": "议程",
        "minutes": "纪要",
        "decisions": [
            {"text": "事项一", "owner": county.department.pk, "deadline": str(days(10))},
            {"text": "事项二", "owner": police.pk, "deadline": str(days(3))},
        ],
    }
    response = api_as(county_admin).post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    decisions = response.json()["decisions"]
    assert [(d["text"], d["light"]) for d in decisions] == [
        ("事项一", "green"),
        ("事项二", "yellow"),
    ]
    # Bad input in the second decision: nothing written, a message on decisions.
    body["decisions"][1]["deadline"] = None
    response = api_as(county_admin).post("/api/v1/meetings/", body, format="json")
    assert response.status_code == 400
    assert "完成时限" in response.json()["decisions"][0]
    assert JointMeeting.objects.count() == 1
    # Not a department, or outside the caller's area: refused, nothing written.
    body["decisions"][1] |= {"deadline": str(days(3)), "owner": county.township_a.pk}
    assert api_as(county_admin).post("/api/v1/meetings/", body, format="json").status_code == 400
    assert JointMeeting.objects.count() == 1


def test_the_api_marks_a_decision_done_for_its_owner_only(
    meeting, api_as, dept_liaison, police_liaison, county_admin
):
    decision = meeting.decisions.get()
    url = f"/api/v1/meeting-decisions/{decision.pk}/done/"
    assert api_as(county_admin).post(url, {"note": "x"}).status_code == 403
    assert api_as(police_liaison).post(url, {"note": "x"}).status_code == 403
    assert api_as(dept_liaison).post(url, {"note": ""}).status_code == 400
    response = api_as(dept_liaison).post(url, {"note": "已完成"})
    assert (response.status_code, response.json()["state"]) == (200, "done")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_minutes_files_are_checked_and_served_only_to_readers(
    meeting, api_as, county_admin, dept_liaison, township_a_staff, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    api = api_as(county_admin)
    url = f"/api/v1/meetings/{meeting.pk}/files/"
    bad = SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = api.post(url, {"files": [bad]}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()
    assert not MeetingFile.objects.exists()
    good = SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf")
    response = api.post(url, {"files": [good]}, format="multipart")
    assert response.status_code == 200, response.json()
    download = response.json()["files"][0]["download_url"]
    assert api_as(dept_liaison).get(download).status_code == 200
    assert api_as(township_a_staff).get(download).status_code == 404


# --- pages --------------------------------------------------------------------------------------


def formset(rows):
    body = {
        "decisions-TOTAL_FORMS": str(len(rows)),
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        body |= {f"decisions-{index}-{name}": value for name, value in row.items()}
    return body


def test_the_meeting_form_saves_the_meeting_and_decisions_together(
    client_as, county, county_admin, members, police
):
    client = client_as(county_admin)
    form = {
        "title": "联席会议",
        "held_on": str(days(-3)),
        "departments": [county.department.pk],
        "minutes": "纪要",
    }
    rows = [
        {"text": "事项一", "owner": county.department.pk, "deadline": str(days(10))},
        {"text": "事项二", "owner": "", "deadline": str(days(10))},
        {"text": "", "owner": "", "deadline": ""},  # an empty extra row is skipped
    ]
    response = client.post("/coordination/meetings/new/", form | formset(rows))
    assert response.status_code == 200
    assert "责任单位" in response.content.decode()
    assert (JointMeeting.objects.count(), MeetingDecision.objects.count()) == (0, 0)
    rows[1]["owner"] = police.pk
    response = client.post("/coordination/meetings/new/", form | formset(rows))
    meeting = JointMeeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    assert meeting.decisions.count() == 2
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "事项一" in page and 'data-light="green"' in page


def test_the_edit_form_starts_from_the_meeting(client_as, meeting, county_admin, dept_liaison):
    page = client_as(county_admin).get(f"/coordination/meetings/{meeting.pk}/edit/")
    assert "开展女童资助摸底" in page.content.decode()
    assert (
        client_as(dept_liaison).get(f"/coordination/meetings/{meeting.pk}/edit/").status_code == 403
    )


def test_the_owner_liaison_marks_done_on_the_decision_page(
    client_as, meeting, dept_liaison, leader
):
    decision = meeting.decisions.get()
    url = decision.get_absolute_url()
    assert 'data-testid="done"' not in client_as(leader).get(url).content.decode()
    assert client_as(leader).post(url, {"note": "x"}).status_code == 403
    client = client_as(dept_liaison)
    assert 'data-testid="done"' in client.get(url).content.decode()
    assert "做了什么" in client.post(url, {"note": ""}).content.decode()
    assert client.post(url, {"note": "已完成"}).status_code == 302
    assert MeetingDecision.objects.get(pk=decision.pk).state == "done"


def test_the_list_filters_by_year_and_department(
    client_as, meetings, county, county_admin, police, courts
):
    first, second = meetings
    client = client_as(county_admin)

    def titles(query):
        return {m.pk for m in client.get("/coordination/meetings/", query).context["object_list"]}

    assert titles({}) == {first.pk, second.pk}
    assert titles({"year": first.held_on.year}) == {first.pk, second.pk}
    assert titles({"year": first.held_on.year - 1}) == set()
    assert titles({"department": county.department.pk}) == {first.pk}
    assert titles({"department": courts.pk}) == {second.pk}


def test_the_roll_pages_change_a_liaison_officer(client_as, members, county_admin, dept_liaison):
    police = members["police"]
    url = f"/coordination/meetings/members/{police.pk}/liaison/"
    assert (
        client_as(dept_liaison).post(url, {"since": str(days(0)), "name": "x"}).status_code == 403
    )
    response = client_as(county_admin).post(url, {"since": str(days(0)), "name": "钱警官"})
    assert response.status_code == 302
    assert police.officers.count() == 2


@pytest.mark.parametrize(
    "persona", ["county_admin", "township_a_staff", "village_a1_rep", "dept_liaison", "leader"]
)
def test_no_meeting_page_offers_what_the_role_may_not_do(request, client_as, meeting, persona):
    from tests.core.test_buttons import write_links

    user = request.getfixturevalue(persona)
    client = client_as(user)
    decision = meeting.decisions.get()
    for url in (
        "/coordination/meetings/",
        meeting.get_absolute_url(),
        decision.get_absolute_url(),
        "/coordination/meetings/members/",
    ):
        response = client.get(url)
        if response.status_code == 200:
            assert write_links(response.content.decode(), user) == [], (persona, url)


def test_a_meeting_with_decisions_cannot_move_into_the_future(api_as, meeting, county_admin):
    response = api_as(county_admin).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"held_on": str(days(5)), "minutes": ""}, format="json"
    )
    assert response.status_code == 400 and "held_on" in response.json()
    assert JointMeeting.objects.get(pk=meeting.pk).held_on == days(-10)


def test_a_decision_taken_over_by_supervision_is_not_removed(
    meeting, county, county_admin, monkeypatch
):
    """Supervision's item will point at the decision with a protecting foreign key; removing
    the decision is then refused with a message, not a server error."""
    from django.db.models import ProtectedError, QuerySet

    def protected(self):
        raise ProtectedError("supervised", set())

    monkeypatch.setattr(QuerySet, "delete", protected)
    message = refused(
        lambda: services.save_meeting(
            county_admin, meeting, **meeting_values(county, decisions=[])
        ),
        "decisions",
    )
    assert "督办" in message
