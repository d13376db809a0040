"""The demo gives every department services and 县教育局's liaison referrals to answer."""

from apps.accounts.models import User
from apps.coordination.models import Referral, Service
from apps.core import todo
from apps.organizations.models import OrgUnit


def test_demo_departments_have_services_and_dept_has_referrals(db, seed_demo):
    seed_demo(activity=True)
    departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    assert all(2 <= Service.objects.filter(department=d).count() <= 3 for d in departments)
    dept = User.objects.get(username="dept")
    states = set(Referral.objects.for_user(dept).values_list("state", flat=True))
    assert {"sent", "accepted", "completed"} <= states
    assert any(item.kind == "referral" for item in todo.todo_for(dept))
    counts = (Service.objects.count(), Referral.objects.count())
    seed_demo(activity=True)
    assert (Service.objects.count(), Referral.objects.count()) == counts


def test_demo_pathway_on_two_sensitive_cases(db, seed_demo):
    from apps.coordination.models import FollowUpVisit, ProtectionOrder, WarningLetter

    seed_demo(activity=True)
    village = User.objects.get(username="village")
    letters = WarningLetter.objects.for_user(village)
    assert letters.count() == 2 and WarningLetter.objects.count() == 3
    visits = FollowUpVisit.objects.for_user(village)
    assert {visit.is_open for visit in visits} == {True, False}
    assert ProtectionOrder.objects.for_user(village).filter(outcome="pending").exists()
    assert Service.objects.filter(provides_shelter=True).exists()
    assert any(item.kind == "follow-up-visit" for item in todo.todo_for(village))
    # Nothing of it for the leader or the department.
    for name in ("leader", "dept"):
        assert not WarningLetter.objects.for_user(User.objects.get(username=name)).exists()
    counts = (WarningLetter.objects.count(), FollowUpVisit.objects.count())
    seed_demo(activity=True)
    assert (WarningLetter.objects.count(), FollowUpVisit.objects.count()) == counts
