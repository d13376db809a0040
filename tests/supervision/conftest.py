"""An item the county hands to its department (县教育局, the ``dept_liaison``'s) with township A
cooperating, on frozen time: Monday 2026-11-23, 10:00 in Shanghai. Township B's staff is
outside both units."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.core.roles import Role
from apps.supervision import services
from tests.conftest import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts):
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture
def clock(holiday_calendar):
    """``clock.move_to(at(...))`` moves frozen time (tick=False: every moment is exact)."""
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def township_b_staff(county):
    return make_user("township_b_staff", Role.TOWNSHIP_STAFF, county.township_b)


def assign(admin, county, **values):
    defaults = {
        "title": "留守儿童关爱行动",
        "description": "摸清底数，建立台账，按月反馈。",
        "source": "superior",
        "lead_unit": county.department,
        "cooperating_units": [county.township_a],
        "deadline": date(2026, 12, 18),
    }
    return services.assign_item(admin, **(defaults | values))


@pytest.fixture
def item(clock, county, county_admin, dept_liaison, township_a_staff):
    return assign(county_admin, county)


def inspect(admin, county, **values):
    """An inspection of township A held last Friday (2026-11-20): one rectification for the
    township by 2026-11-30 and one for the department (县教育局) by 2026-12-18."""
    defaults = {
        "unit": county.township_a,
        "held_on": date(2026, 11, 20),
        "team": "王芳、李静",
        "checklist": [{"item": "妇女之家台账", "finding": "活动记录缺失"}],
        "findings": "活动记录缺失；反家暴联络员未明确。",
        "rectifications": [
            {"text": "补齐活动记录", "owner": county.township_a, "deadline": date(2026, 11, 30)},
            {"text": "明确联络员", "owner": county.department, "deadline": date(2026, 12, 18)},
        ],
    }
    return services.record_inspection(admin, **(defaults | values))


@pytest.fixture
def inspection(clock, county, county_admin, dept_liaison, township_a_staff):
    return inspect(county_admin, county)


@pytest.fixture
def rectifications(inspection):
    """(the township's, the department's)"""
    return tuple(inspection.rectifications.order_by("pk"))
