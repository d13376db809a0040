"""The demo has referrals to the federation from 县公安局 and 县民政局 in every state, one
waiting on the demo township's to-do list, and re-seeding adds none."""

import pytest

from apps.accounts.models import User
from apps.coordination.models import IncomingReferral
from apps.core import todo

# The demo is built once for the module; each test still seeds it again (adding nothing).
pytestmark = pytest.mark.usefixtures("demo_year")


def test_demo_has_referrals_to_the_federation(db, seed_demo):
    seed_demo(activity=True)
    rows = IncomingReferral.objects.select_related("department")
    assert {r.department.name for r in rows} == {"县公安局", "县民政局"}
    assert {r.state for r in rows} == {"sent", "accepted", "declined"}
    assert all(r.case_id for r in rows if r.state == "accepted")
    township = User.objects.get(username="township")
    assert any(item.kind == "incoming-referral" for item in todo.todo_for(township))
    count = IncomingReferral.objects.count()
    seed_demo(activity=True)
    assert IncomingReferral.objects.count() == count
