"""The demo's joint-meeting system and its year of meetings, built once."""

import pytest

from apps.accounts.models import User
from apps.coordination.models import (
    JointMeeting,
    LiaisonOfficer,
    MeetingConvener,
    MeetingDecision,
    MemberDepartment,
)
from apps.core import todo
from apps.organizations.models import OrgUnit

# The demo is built once for the module; each test still seeds it again (adding nothing).
pytestmark = pytest.mark.usefixtures("demo_year")


def counts():
    return [
        model.objects.count()
        for model in (
            MeetingConvener,
            MemberDepartment,
            LiaisonOfficer,
            JointMeeting,
            MeetingDecision,
        )
    ]


def test_demo_joint_meetings(db, seed_demo):
    seed_demo(activity=True)
    lead = MeetingConvener.objects.get(kind="lead")
    assert lead.user == User.objects.get(username="leader")
    assert MeetingConvener.objects.filter(kind="convener").count() == 2
    departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).count()
    assert MemberDepartment.objects.count() == departments == 12
    assert LiaisonOfficer.objects.filter(until__isnull=True).count() == 12
    changed = LiaisonOfficer.objects.filter(until__isnull=False).get()
    dept = User.objects.get(username="dept")
    assert changed.member.current_officer.user == dept
    meetings = JointMeeting.objects.all()
    assert len(meetings) == 4
    assert all(2 <= m.decisions.count() <= 4 for m in meetings)
    done = MeetingDecision.objects.filter(state="done")
    assert [d.done_late for d in done].count(True) == 1
    assert MeetingDecision.objects.filter(state="open").count() >= 3
    assert any(item.kind == "meeting_decision" for item in todo.todo_for(dept))
    before = counts()
    seed_demo(activity=True)
    assert counts() == before
