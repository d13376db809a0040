"""Schemes above the county: a prefecture ranks its counties with the same engine; a data source
is only offered at the levels its module keeps figures for."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.assessment import services
from apps.core.roles import Role
from apps.organizations.models import OrgUnit
from tests.assessment.conftest import scored
from tests.conftest import make_unit, make_user


@pytest.fixture
def prefecture(db):
    """A prefecture with two counties, each with a township."""
    city = make_unit("江城市", "4301", OrgUnit.Kind.PREFECTURE)
    counties = [
        make_unit("东县", "430101", OrgUnit.Kind.COUNTY, city),
        make_unit("西县", "430102", OrgUnit.Kind.COUNTY, city),
    ]
    for index, county in enumerate(counties):
        make_unit(f"{county.name}城关镇", f"43010{index + 1}01", OrgUnit.Kind.TOWNSHIP, county)
    return city, counties


def test_a_prefecture_ranks_its_counties(prefecture, year, figures):
    city, (east, west) = prefecture
    staff = make_user("city_admin", Role.COUNTY_ADMIN, city)
    figures["test.score"] = {east.pk: 70, west.pk: 95}
    scheme = services.save_scheme(
        staff,
        title="2026年度县（市、区）妇联工作目标考核",
        period=year,
        level="county",
        indicators=[
            {"title": "目标任务", "max_points": 100, "kind": "data", "source": "test.score"}
        ],
        result_rule={"grades": [{"name": "先进", "min": 90}, {"name": "达标"}]},
    )
    results = scored(scheme, "self")
    assert sorted((r.unit.name, r.total, r.rank, r.grade) for r in results) == [
        ("东县", Decimal("70.00"), 2, "达标"),
        ("西县", Decimal("95.00"), 1, "先进"),
    ]


def test_a_source_is_refused_at_a_level_it_has_no_figures_for(prefecture, year):
    city, _counties = prefecture
    staff = make_user("city_admin", Role.COUNTY_ADMIN, city)
    with pytest.raises(ValidationError) as refused:
        services.save_scheme(
            staff,
            title="县级考核",
            period=year,
            level="county",
            indicators=[
                {
                    "title": "联系户走访",
                    "max_points": 100,
                    "kind": "data",
                    "source": "liaison.coverage",
                }
            ],
            vetoes=[{"reason": "转介超时", "source": "coordination.overdue", "at_least": 1}],
        )
    errors = refused.value.message_dict
    assert "联系户走访" in errors["indicators"][0] and "县" in errors["indicators"][0]
    assert "转介超时" in errors["vetoes"][0]


def test_a_province_scheme_is_scored_in_parts_county_by_county(year, figures, monkeypatch):
    """Cut at the county, so that many worker hosts share a province's night; a department
    under the province or a prefecture is a part of its own, so nothing is left out."""
    province = make_unit("湘省", "43", OrgUnit.Kind.PROVINCE)
    bureau = make_unit("省民政厅", "43D1", OrgUnit.Kind.DEPARTMENT, province)
    city = make_unit("江城市", "4301", OrgUnit.Kind.PREFECTURE, province)
    city_bureau = make_unit("市民政局", "4301D1", OrgUnit.Kind.DEPARTMENT, city)
    counties = [
        make_unit(name, code, OrgUnit.Kind.COUNTY, city)
        for name, code in (("东县", "430101"), ("西县", "430102"))
    ]
    for index, county in enumerate(counties):
        make_unit(f"{county.name}城关镇", f"43010{index + 1}01", OrgUnit.Kind.TOWNSHIP, county)
    scheme = services.save_scheme(
        make_user("province_admin", Role.COUNTY_ADMIN, province),
        title="2026年度乡镇妇联工作考核",
        period=year,
        level="township",
        indicators=[{"title": "综合", "max_points": 100, "kind": "manual"}],
    )
    monkeypatch.setattr(services, "SCORING_PART", 1)
    parts = services.scoring_parts(scheme)
    assert sorted(parts) == sorted([bureau.pk, city_bureau.pk, *(c.pk for c in counties)])
    for unit_id in parts:
        services.score_scheme(scheme, "self", under=OrgUnit.objects.get(pk=unit_id))
    services.rank_round(scheme, "self")
    assert scheme.results.filter(round="self").count() == 2
