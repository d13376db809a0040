"""Services in the test county's department (县教育局) and another (县公安局), and cases of the
village A1 and B1 representatives to refer."""

import pytest

from apps.coordination.models import Service
from apps.core.roles import Role
from apps.liaison import services as liaison
from apps.organizations.models import OrgUnit
from tests.conftest import make_unit, make_user
from tests.liaison.conftest import household_a1, household_b1, rep_a1, rep_b1  # noqa: F401


def make_service(department, **values):
    defaults = {
        "name": "学业资助",
        "kind": Service.Kind.FUNDS,
        "description": "困难家庭子女学业资助",
        "case_categories": ["children", "hardship"],
    }
    return Service.objects.create(department=department, **(defaults | values))


@pytest.fixture
def police(county):
    return make_unit("县公安局", "100902", OrgUnit.Kind.DEPARTMENT, county.county)


@pytest.fixture
def police_liaison(police):
    return make_user("police_liaison", Role.DEPT_LIAISON, police)


@pytest.fixture
def school_aid(county):
    return make_service(county.department)


@pytest.fixture
def police_help(police):
    return make_service(
        police,
        name="家暴警情处置",
        kind=Service.Kind.LEGAL,
        case_categories=["violence", "marriage"],
        accepts_sensitive=True,
    )


@pytest.fixture
def case_a1(village_a1_rep, household_a1):  # noqa: F811
    return liaison.open_case(
        village_a1_rep, contact=household_a1, category="children", description="孩子辍学，需资助"
    )


@pytest.fixture
def case_b1(village_b1_rep, household_b1):  # noqa: F811
    return liaison.open_case(
        village_b1_rep, contact=household_b1, category="children", description="乙一村的需求"
    )


@pytest.fixture
def violence_a1(village_a1_rep, household_a1):  # noqa: F811
    return liaison.open_case(
        village_a1_rep, contact=household_a1, category="violence", description="丈夫殴打"
    )


@pytest.fixture
def village_a1_rep2(county):
    """A second representative of village A1, who must see nothing of the first one's
    sensitive cases."""
    from tests.liaison.conftest import make_representative

    user = make_user("village_a1_rep2", Role.VILLAGE_REP, county.village_a1)
    make_representative(user, county.village_a1, "A1-02")
    return user
