"""A review or reward step sent twice (a retry, a double click, two tabs) is applied once: the
second is refused and the first decision stands."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.objectives import services
from apps.objectives.models import InnovationItem, ProgressReport, Reward
from tests.objectives.test_scoring import running_plan  # noqa: F401  (a fixture)


@pytest.fixture
def item(running_plan, county, township_a_staff):  # noqa: F811
    return services.claim_innovation(
        township_a_staff,
        running_plan,
        unit=county.township_a,
        title="巾帼微课堂",
        description="每月一期",
        claimed_points=Decimal(2),
    )


def test_a_rejection_sent_after_an_award_cannot_undo_it(item, county_admin):
    seen_before_the_award = InnovationItem.objects.get(pk=item.pk)
    services.award_innovation(county_admin, item, points=Decimal(2))

    with pytest.raises(ValidationError):
        services.reject_innovation(county_admin, seen_before_the_award, comment="不符合条件")

    item.refresh_from_db()
    assert (item.status, item.awarded_points) == ("awarded", Decimal(2))


def test_a_second_award_is_refused(item, county_admin):
    seen_before_the_award = InnovationItem.objects.get(pk=item.pk)
    services.award_innovation(county_admin, item, points=Decimal(2))
    with pytest.raises(ValidationError):
        services.award_innovation(county_admin, seen_before_the_award, points=Decimal(2))


def test_a_second_approval_of_a_report_is_refused(running_plan, township_a_staff):  # noqa: F811
    report = ProgressReport.objects.filter(
        status=ProgressReport.Status.APPROVED, reviewed_by=township_a_staff
    ).first()
    approved_at = report.reviewed_at
    with pytest.raises(ValidationError):
        services.approve_report(township_a_staff, report)
    with pytest.raises(ValidationError):
        services.return_report(township_a_staff, report, "请补充材料")
    report.refresh_from_db()
    assert (report.status, report.reviewed_at) == ("approved", approved_at)
    assert report.cycle_end == date(2026, 12, 31)


def test_a_second_reward_confirmation_is_refused(running_plan, county_admin):  # noqa: F811
    services.close_plan(county_admin, running_plan)
    reward = Reward.objects.get(plan=running_plan)
    services.confirm_reward(county_admin, reward)
    with pytest.raises(ValidationError):
        services.confirm_reward(county_admin, reward)
    assert Reward.objects.get(pk=reward.pk).status == "confirmed"
