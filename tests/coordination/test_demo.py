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
