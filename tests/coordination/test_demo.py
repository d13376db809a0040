"""The demo gives every department services and 县教育局's liaison referrals to answer."""

import pytest

from apps.accounts.models import User
from apps.coordination.models import Referral, Service
from apps.core import todo
from apps.organizations.models import OrgUnit

# The demo is built once for the module; each test still seeds it again (adding nothing).
pytestmark = pytest.mark.usefixtures("demo_year")


def test_demo_departments_have_services_and_dept_has_referrals(db, seed_demo):
    seed_demo(activity=True)
    departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    assert all(2 <= Service.objects.filter(department=d).count() <= 3 for d in departments)
    dept = User.objects.get(username="dept")
    states = set(Referral.objects.for_user(dept).values_list("state", flat=True))
    assert {"sent", "accepted", "completed"} <= states
    assert any(item.kind == "referral" for item in todo.todo_for(dept))
    _a_year_of_referrals_to_show()
    counts = (Service.objects.count(), Referral.objects.count())
    seed_demo(activity=True)
    assert (Service.objects.count(), Referral.objects.count()) == counts


def _a_year_of_referrals_to_show():
    """Every department received referrals over the year: most in time, some late, some
    declined with a reason, most completed ones rated; a few are open and past a deadline."""
    from django.db.models import F
    from django.utils import timezone

    from apps.coordination import services
    from apps.organizations.models import Period

    rows = services.responsiveness(Period.objects.current_year())
    # The demo year runs from 1 January to today: in its first months there is less to show.
    months = timezone.localdate().month
    assert len(rows) == 12 and all(row["received"] for row in rows) or months < 6
    assert sum(row["received"] for row in rows) >= 15 * months
    assert sum(row["declined"] for row in rows) and all(
        len(row["decline_reasons"]) == row["declined"] for row in rows
    )
    assert sum(row["rated"] for row in rows) >= 5 * months
    assert any(row["satisfaction_rate"] < 100 for row in rows if row["rated"])
    assert Referral.objects.filter(accepted_at__gt=F("accept_due")).exists()
    assert Referral.objects.filter(completed_at__gt=F("complete_due")).exists()
    assert len(set(Referral.objects.values_list("sent_at__month", flat=True))) >= min(months, 6)
    assert services.departments_to_remind()
    assert not Referral.objects.filter(sent_at__gt=timezone.now()).exists()
    assert not Referral.objects.filter(completed_at__gt=timezone.now()).exists()


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


def test_demo_county_has_a_resource_ledger(db, seed_demo):
    from apps.coordination.models import ResourceEntry, ResourceHours, ResourceSource

    seed_demo(activity=True)
    kinds = set(ResourceSource.objects.values_list("kind", flat=True))
    assert kinds == {"funds", "materials"}
    assert ResourceSource.objects.exclude(budget_line="").exists()
    assert ResourceSource.objects.exclude(donor="").count() >= 3
    assert all(source.balance >= 0 for source in ResourceSource.objects.all())
    allocations = ResourceEntry.objects.filter(kind="allocation")
    assert allocations.filter(case__isnull=False).exists()
    assert allocations.filter(case__isnull=True, village__isnull=False).count() >= 12
    assert ResourceEntry.objects.filter(kind="reversal").exists()
    assert {"lawyer", "psychologist"} <= set(
        ResourceHours.objects.values_list("person_kind", flat=True)
    )
    counts = (ResourceEntry.objects.count(), ResourceHours.objects.count())
    seed_demo(activity=True)
    assert (ResourceEntry.objects.count(), ResourceHours.objects.count()) == counts
