"""Objective pages keep to the scoping rule: another township's records are not found."""

from datetime import date
from decimal import Decimal

import pytest

from apps.core.views import ScopedDetailView
from apps.objectives import services
from apps.objectives.models import Objective, UnitScore
from tests.conftest import make_user
from tests.objectives import test_scoring
from tests.objectives.conftest import quantitative

running_plan = test_scoring.running_plan  # the fixture: training split to townships, villages


@pytest.fixture
def township_b_report(split_training, county, county_admin):
    _, part_b = split_training
    services.publish_plan(county_admin, part_b.plan)
    staff_b = make_user("b_staff", "township_staff", county.township_b)
    report = services.submit_report(
        staff_b, part_b, cycle_end=date(2026, 12, 31), value=Decimal(60), narrative="乙镇"
    )
    services.approve_report(county_admin, report)
    services.score_plan(part_b.plan)
    return report


def test_other_townships_report_score_and_objective_are_404(
    client_as, township_a_staff, township_b_report
):
    client = client_as(township_a_staff)
    score = UnitScore.objects.get(unit__name="乙镇")
    for url in (
        f"/objectives/reports/{township_b_report.pk}/",
        f"/objectives/scores/{score.pk}/",
        f"/objectives/{township_b_report.objective_id}/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_scoped_view_cannot_override_get_queryset():
    with pytest.raises(TypeError, match="get_base_queryset"):

        class LeakyView(ScopedDetailView):
            def get_queryset(self):
                return UnitScore.objects.all()


def test_buttons_report_success_or_the_services_reason(
    client_as, split_training, county, county_admin, township_a_staff
):
    from apps.objectives.models import InnovationItem

    plan = split_training[0].plan
    services.publish_plan(county_admin, plan)
    item = services.claim_innovation(
        township_a_staff,
        plan,
        unit=county.township_a,
        title="巾帼网格",
        description="d",
        claimed_points=Decimal(2),
    )
    client = client_as(county_admin)
    too_many = client.post(
        f"/objectives/innovation/{item.pk}/review/", {"points": "9"}, follow=True
    )
    assert "核定分值须大于 0 且不超过申报的 2.00 分" in too_many.content.decode()
    awarded = client.post(f"/objectives/innovation/{item.pk}/review/", {"points": "2"}, follow=True)
    assert "审核结果已保存" in awarded.content.decode()
    assert InnovationItem.objects.get().status == "awarded"


def publish_messages(client, url):
    response = client.post(url, follow=True)
    return [str(message) for message in response.context["messages"]]


def test_publishing_says_assignees_were_notified_only_when_someone_was(
    client_as, plan, county, county_admin
):
    """Nobody works in township B yet: the plan is published, but no one was told."""
    services.add_objective(county_admin, plan, **quantitative(assignee_unit=county.township_b))
    messages = publish_messages(client_as(county_admin), f"/objectives/plans/{plan.pk}/publish/")
    assert messages == ["责任书已发布。没有人收到通知：所分配的单位还没有工作人员。"]
    assert not any("已通知" in message for message in messages)


def test_publishing_tells_the_assignees_and_says_so(
    client_as, plan, county, county_admin, township_a_staff
):
    services.add_objective(county_admin, plan, **quantitative(assignee_unit=county.township_a))
    messages = publish_messages(client_as(county_admin), f"/objectives/plans/{plan.pk}/publish/")
    assert messages == ["责任书已发布，已通知各责任单位。"]
    notification = township_a_staff.notifications.get()
    assert notification.url == f"/objectives/plans/{plan.pk}/"


def test_a_part_links_up_only_to_an_objective_the_reader_may_open(
    running_plan, county, village_a1_rep, township_a_staff, client_as
):
    """The village reads which unit handed its part down, without a link that would be a 404."""
    village_part = Objective.objects.get(assignee_unit=county.village_a1)
    parent_url = f'href="/objectives/{village_part.parent_id}/"'
    page = client_as(village_a1_rep).get(village_part.get_absolute_url()).content.decode()
    assert village_part.parent.assignee_unit.name in page and parent_url not in page
    page = client_as(township_a_staff).get(village_part.get_absolute_url()).content.decode()
    assert parent_url in page
