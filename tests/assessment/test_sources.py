"""Every registered data source answers for all units at once, in a few queries, reading the
other modules through their services."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.assessment import sources
from apps.organizations.models import OrgUnit, Period
from apps.supervision import services as supervision
from tests.conftest import make_unit

REAL = [source for source in sources.all_sources() if not source.code.startswith("test.")]


def queries(read, period, units):
    with CaptureQueriesContext(connection) as context:
        figures = read(period, [unit.pk for unit in units])
    return len(context.captured_queries), figures


@pytest.mark.parametrize("source", REAL, ids=[source.code for source in REAL])
def test_a_source_is_set_based(source, county, year):
    units = list(OrgUnit.objects.filter(kind__in=["township", "department"]))
    few, _figures = queries(source.read, year, units)
    for number in range(6):
        make_unit(f"新{number}镇", f"10030{number}", OrgUnit.Kind.TOWNSHIP, county.county)
    units = list(OrgUnit.objects.filter(kind__in=["township", "department"]))
    many, figures = queries(source.read, year, units)
    assert many == few <= 6
    assert all(isinstance(figure.raw, Decimal) for figure in figures.values())


def test_supervision_figures_count_the_lead_units_items(county, county_admin):
    item = supervision.assign_item(
        county_admin,
        title="留守儿童关爱",
        description="d",
        source="superior",
        lead_unit=county.department,
        cooperating_units=[],
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    today = timezone.localdate(item.assigned_at)
    figures = supervision.unit_figures([county.department.pk], today, today)
    assert figures[county.department.pk]["assigned"] == 1
    assert figures[county.department.pk]["returned"] == 0
    read = sources.get("supervision.assigned").read
    around = Period.objects.create(
        name="本季", kind="quarter", start_date=today - datetime.timedelta(days=30), end_date=today
    )
    assert read(around, [county.department.pk])[county.department.pk].raw == 1


def test_a_family_of_sources_is_read_with_one_load(county, year):
    units = list(OrgUnit.objects.filter(kind="township"))
    family = ["supervision.assigned", "supervision.on_time", "supervision.slips"]
    one, _figures = queries(sources.get("supervision.assigned").read, year, units)
    with CaptureQueriesContext(connection) as context:
        read = sources.read_all(family, year, [unit.pk for unit in units])
    assert len(context.captured_queries) == one
    assert sorted(read) == family
