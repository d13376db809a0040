"""The demo county gets a year of supervised items, slips of every colour, and work waiting
for the demo accounts; seeding again adds nothing."""

import pytest

from apps.accounts.models import User
from apps.core import todo
from apps.supervision.models import ItemRequest, Slip, SupervisionItem

# The demo is built once for the module; each test still seeds it again (adding nothing).
pytestmark = pytest.mark.usefixtures("demo_year")


def test_demo_has_a_year_of_items_in_every_state_and_slips_of_every_colour(db, seed_demo):
    seed_demo(activity=True)
    states = set(SupervisionItem.objects.values_list("state", flat=True))
    assert {"assigned", "in_progress", "feedback", "closed", "suspended", "stage_completed"} <= (
        states
    )
    assert set(Slip.objects.values_list("colour", flat=True)) == {"blue", "yellow", "red"}
    assert SupervisionItem.objects.filter(return_count__gt=0).exists()
    assert ItemRequest.objects.filter(kind="extension", state="approved").exists()
    assert any(item.fed_back_late for item in SupervisionItem.objects.filter(state="closed"))
    dept, admin = User.objects.get(username="dept"), User.objects.get(username="admin")
    assert any(entry.kind == "supervision-item" for entry in todo.todo_for(dept))
    admin_kinds = {entry.kind for entry in todo.todo_for(admin)}
    assert {"supervision-request", "supervision-feedback"} <= admin_kinds
    # The demo's overdue joint-meeting decision is under supervision, linked both ways.
    taken_over = SupervisionItem.objects.filter(meeting_decision__isnull=False)
    assert taken_over.filter(source="meeting", meeting_decision__state="supervised").exists()
    counts = (SupervisionItem.objects.count(), Slip.objects.count())
    seed_demo(activity=True)
    assert (SupervisionItem.objects.count(), Slip.objects.count()) == counts


def test_demo_has_progress_feedback_an_approval_and_commendations(db, seed_demo):
    from apps.supervision.models import ItemFeedback, ProgressDue
    from apps.supervision.reports import item_report

    seed_demo(activity=True)
    periods = ProgressDue.objects.filter(item__progress_cycle="monthly")
    assert any(p.fed_back_at and not p.late for p in periods)
    assert any(p.fed_back_at and p.late for p in periods)
    assert any(p.fed_back_at is None and p.late for p in periods)
    assert ItemFeedback.objects.filter(approval="pending", progress__isnull=False).exists()
    assert SupervisionItem.objects.exclude(commendation="").count() == 2
    township = User.objects.get(username="township")
    assert "supervision-approval" in {entry.kind for entry in todo.todo_for(township)}
    from django.utils import timezone

    # The demo year runs back from today, across New Year in the first months.
    year = timezone.localdate().year
    totals = [item_report(each).total.figures for each in (year - 1, year)]
    assert sum(t["overdue"] for t in totals) and sum(t["commended"] for t in totals)
    counts = (ProgressDue.objects.count(), ItemFeedback.objects.count())
    seed_demo(activity=True)
    assert (ProgressDue.objects.count(), ItemFeedback.objects.count()) == counts


def test_demo_has_three_inspections_with_rectifications_in_every_state(db, seed_demo):
    from apps.supervision.deadlines import RECTIFICATIONS
    from apps.supervision.models import Inspection, Rectification

    seed_demo(activity=True)
    assert Inspection.objects.count() == 3
    assert len({inspection.held_on.month for inspection in Inspection.objects.all()}) == 3
    states = set(Rectification.objects.values_list("state", flat=True))
    assert states == {"open", "submitted", "verified"}
    assert Rectification.objects.filter(return_count__gt=0, state="verified").exists()
    overdue = list(Rectification.objects.filter(state="open"))
    assert any(RECTIFICATIONS.status_of(r).light == "red" for r in overdue)
    dept, admin = User.objects.get(username="dept"), User.objects.get(username="admin")
    assert any(entry.kind == "rectification" for entry in todo.todo_for(dept))
    assert any(entry.kind == "rectification-verify" for entry in todo.todo_for(admin))
    counts = (Inspection.objects.count(), Rectification.objects.count())
    seed_demo(activity=True)
    assert (Inspection.objects.count(), Rectification.objects.count()) == counts
