"""Writes outside one's area or role: ids in a request body are found only in the caller's
area and only among the parts of the object acted on; a leader writes nothing, whichever door
she uses."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.objectives import services
from apps.objectives.models import InnovationItem, Objective, ObjectiveRevision, ProgressReport
from apps.organizations.models import Period
from tests.objectives.conftest import quantitative


@pytest.fixture
def village_part(split_training, county, county_admin, township_a_staff):
    """Township A's share, split on to village A1 and published: township A owns the part."""
    part_a, _part_b = split_training
    services.publish_plan(county_admin, part_a.plan)
    village = services.add_objective(
        township_a_staff,
        part_a.plan,
        parent=part_a,
        **quantitative(assignee_unit=county.village_a1, weight=Decimal(6), target=Decimal(180)),
    )
    services.publish_decomposition(township_a_staff, part_a)
    return village


def test_a_township_cannot_revise_another_townships_objective_through_parts(
    api_as, village_part, split_training, township_a_staff
):
    _part_a, part_b = split_training
    response = api_as(township_a_staff).post(
        f"/api/v1/objectives/{village_part.pk}/revise/",
        {"reason": "顺手改一下", "parts": [{"id": part_b.pk, "weight": "1", "target": "1"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "parts" in response.json()
    assert "乙镇" not in response.content.decode()
    part_b.refresh_from_db()
    assert (part_b.weight, part_b.target) == (Decimal(4), Decimal(120))
    assert not ObjectiveRevision.objects.exists()


def test_a_revision_changes_only_the_objectives_own_parts(
    village_part, split_training, county_admin
):
    """Even where the caller may see it, an objective that is not a part of the one revised is
    refused by the service itself."""
    part_a, part_b = split_training
    with pytest.raises(ValidationError) as error:
        services.revise_objective(
            county_admin, part_a, reason="调整", parts=[(part_b, None, Decimal(130))]
        )
    assert "parts" in error.value.message_dict
    part_b.refresh_from_db()
    assert part_b.target == Decimal(120)
    assert not ObjectiveRevision.objects.exists()


def test_a_parent_outside_the_area_is_as_if_it_did_not_exist(
    api_as, split_training, county, county_admin, township_a_staff
):
    _part_a, part_b = split_training
    services.publish_plan(county_admin, part_b.plan)
    before = Objective.objects.count()
    response = api_as(township_a_staff).post(
        "/api/v1/objectives/",
        {
            "plan": part_b.plan_id,
            "parent": part_b.pk,
            **quantitative(assignee_unit=county.village_a1.pk, weight="1", target="10"),
        },
        format="json",
    )
    assert response.status_code in (400, 404)
    assert "乙镇" not in response.content.decode()
    assert Objective.objects.count() == before


def test_a_refusal_names_no_unit(split_training, county, township_a_staff):
    """A service's refusal of a unit outside the area says nothing about that unit."""
    _part_a, part_b = split_training
    with pytest.raises(PermissionDenied) as error:
        services.add_objective(
            township_a_staff,
            part_b.plan,
            parent=part_b,
            **quantitative(assignee_unit=county.village_b1, weight=Decimal(1)),
        )
    assert "乙镇" not in str(error.value)


def test_the_leader_cannot_claim_innovation_through_the_hidden_form(
    client_as, split_training, county, county_admin, leader
):
    plan = split_training[0].plan
    services.publish_plan(county_admin, plan)
    response = client_as(leader).post(
        f"/objectives/plans/{plan.pk}/innovation/",
        {"unit": county.county.pk, "title": "领导创新", "description": "d", "claimed_points": "5"},
    )
    assert response.status_code == 403
    assert not InnovationItem.objects.exists()
    with pytest.raises(PermissionDenied):
        services.claim_innovation(
            leader,
            plan,
            unit=county.county,
            title="领导创新",
            description="d",
            claimed_points=Decimal(5),
        )
    assert not InnovationItem.objects.exists()


def test_the_leader_cannot_report_on_her_units_objective(client_as, training, county_admin, leader):
    services.publish_plan(county_admin, training.plan)
    response = client_as(leader).post(
        f"/objectives/{training.pk}/",
        {"cycle_end": "2026-12-31", "value": "150", "narrative": "领导代报"},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.submit_report(
            leader, training, cycle_end=date(2026, 12, 31), value=Decimal(150), narrative="x"
        )
    assert not ProgressReport.objects.exists()


def test_a_part_stays_in_its_parents_plan(
    api_as, split_training, county, county_admin, township_a_staff
):
    part_a, _part_b = split_training
    next_year = Period.objects.create(
        name="2027年度", kind="year", start_date=date(2027, 1, 1), end_date=date(2027, 12, 31)
    )
    other_plan = services.create_plan(
        county_admin, period=next_year, unit=county.county, title="2027年度"
    )
    before = Objective.objects.count()
    response = api_as(township_a_staff).post(
        "/api/v1/objectives/",
        {
            "plan": other_plan.pk,
            "parent": part_a.pk,
            **quantitative(assignee_unit=county.village_a1.pk, weight="1", target="10"),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert Objective.objects.count() == before
