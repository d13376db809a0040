import datetime
from decimal import Decimal

import pytest

from apps.assessment import services, sources
from apps.assessment.models import AssessmentResult
from apps.organizations.models import OrgUnit, Period
from tests.conftest import make_unit

# Figures the test sources report: {source code: {unit id: number}}.
FIGURES = {}


def _reader(code):
    def read(period, unit_ids):
        return {
            unit_id: sources.Figure(Decimal(value), [f"/records/{code}/{unit_id}/"])
            for unit_id in unit_ids
            if (value := FIGURES.get(code, {}).get(unit_id)) is not None
        }

    return read


def scored(scheme, round_):
    """Score ``round_`` and return the results written (those not approved before)."""
    services.score_scheme(scheme, round_)
    return list(
        AssessmentResult.objects.filter(scheme=scheme, round=round_, approved_at=None)
        .select_related("unit")
        .order_by("pk")
    )


for _code in ["test.score", "test.late", "test.returned", "test.innovations", "test.incidents"]:
    sources.register(_code, _code, _reader(_code))


@pytest.fixture
def executive_members(county, village_a1_rep, village_b1_rep):
    """The village representative personas on the liaison roll: the 执委 a person scheme scores
    (an account with a village role but no roll record is not one)."""
    from tests.liaison.conftest import make_representative

    make_representative(village_a1_rep, county.village_a1, "A1-01")
    make_representative(village_b1_rep, county.village_b1, "B1-01")
    return village_a1_rep, village_b1_rep


@pytest.fixture
def figures():
    FIGURES.clear()
    yield FIGURES
    FIGURES.clear()


@pytest.fixture
def year(db):
    return Period.objects.create(
        name="2026年度",
        kind=Period.Kind.YEAR,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )


@pytest.fixture
def township_c(county):
    return make_unit("丙镇", "100103", OrgUnit.Kind.TOWNSHIP, county.county)


@pytest.fixture
def departments(county):
    return [
        make_unit("县卫健局", "100902", OrgUnit.Kind.DEPARTMENT, county.county),
        make_unit("县民政局", "100903", OrgUnit.Kind.DEPARTMENT, county.county),
    ]
