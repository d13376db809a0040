"""A small world for the dashboard: two townships' households, visits, cases (one sensitive),
a referral to the county's department, a supervised item, and the year's periods."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.coordination import services as coordination
from apps.dashboards import services as dashboards
from apps.liaison import services as liaison
from apps.organizations.models import Period
from tests.coordination.conftest import (  # noqa: F401
    case_a1,
    household_a1,
    household_b1,
    rep_a1,
    rep_b1,
    school_aid,
    violence_a1,
)


@dataclass
class World:
    period: Period
    previous: Period


def make_year(year):
    return Period.objects.create(
        name=f"{year}年度", kind="year", start_date=date(year, 1, 1), end_date=date(year, 12, 31)
    )


@pytest.fixture
def year_periods(db):
    today = timezone.localdate()
    return make_year(today.year), make_year(today.year - 1)


@pytest.fixture
def world(
    county,
    year_periods,
    village_a1_rep,
    village_b1_rep,
    dept_liaison,
    household_a1,  # noqa: F811
    household_b1,  # noqa: F811
    case_a1,  # noqa: F811
    violence_a1,  # noqa: F811
    school_aid,  # noqa: F811
):
    today = timezone.localdate()
    liaison.log_visit(
        village_a1_rep, visited_on=today, mode="home", contacts=[household_a1], summary="走访"
    )
    for days in (0, 1):
        liaison.log_visit(
            village_b1_rep,
            visited_on=max(today - timedelta(days=days), today.replace(day=1)),
            mode="phone",
            contacts=[household_b1],
            summary="电话回访",
        )
    liaison.open_case(
        village_b1_rep, contact=household_b1, category="hardship", description="丈夫失业，家里缺钱"
    )
    referral = coordination.refer_case(
        village_a1_rep, case_a1, service=school_aid, consent=True, consent_method="verbal"
    )
    coordination.accept_referral(dept_liaison, referral)
    dashboards.refresh_rollups()
    period, previous = year_periods
    return World(period=period, previous=previous)
