"""A plan for the test county: one quantitative objective for the county, to decompose."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.objectives import services
from apps.objectives.models import Objective
from apps.organizations.models import Period


@pytest.fixture(autouse=True)
def late_november_2026():
    """Reports, deadlines and lateness are judged against the clock: fix it inside the 2026
    period, after the third quarter's reports were due and before the fourth's."""
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        yield


@pytest.fixture
def period(db):
    return Period.objects.create(
        name="2026年度",
        kind=Period.Kind.YEAR,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )


@pytest.fixture
def plan(county, county_admin, period):
    return services.create_plan(
        county_admin, period=period, unit=county.county, title="2026年度目标责任书"
    )


def quantitative(**overrides):
    fields = {
        "category": Objective.Category.DEVELOPMENT,
        "title": "开展巾帼技能培训",
        "kind": Objective.Kind.QUANTITATIVE,
        "measure_unit": "人次",
        "baseline": Decimal("100"),
        "target": Decimal("300"),
        "weight": Decimal("10"),
        "due_date": date(2026, 12, 31),
    }
    return fields | overrides


@pytest.fixture
def training(plan, county, county_admin):
    """The county's training objective, assigned to the county federation itself."""
    return services.add_objective(county_admin, plan, **quantitative(assignee_unit=county.county))


@pytest.fixture
def split_training(training, county, county_admin):
    """Training split between the two townships: 6 + 4 points, 180 + 120 people."""
    part_a = services.add_objective(
        county_admin,
        training.plan,
        parent=training,
        **quantitative(assignee_unit=county.township_a, weight=Decimal(6), target=Decimal(180)),
    )
    part_b = services.add_objective(
        county_admin,
        training.plan,
        parent=training,
        **quantitative(assignee_unit=county.township_b, weight=Decimal(4), target=Decimal(120)),
    )
    return part_a, part_b
