"""Demo org tree: the fictional county of demo_county, its townships, villages and departments."""

from datetime import date

from apps.organizations import demo_county
from apps.organizations.models import OrgUnit, Period


def _upsert_units(rows):
    """Insert or rename units by code in one statement; paths are set here since bulk_create
    skips save()."""
    OrgUnit.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "parent", "path"],
    )
    return {unit.code: unit for unit in OrgUnit.objects.filter(code__in=[r.code for r in rows])}


def _unit(name, code, kind, parent=None):
    path = f"{parent.path if parent else ''}{code}/"
    return OrgUnit(name=name, code=code, kind=kind, parent=parent, path=path)


def seed_org_tree(context, log=print):
    county_name, county_code = demo_county.COUNTY
    county = _upsert_units([_unit(county_name, county_code, OrgUnit.Kind.COUNTY)])[county_code]

    townships = _upsert_units(
        [
            _unit(name, county_code + suffix, OrgUnit.Kind.TOWNSHIP, county)
            for name, suffix, _villages in demo_county.TOWNSHIPS
        ]
    )
    village_rows = []
    for _name, suffix, villages in demo_county.TOWNSHIPS:
        township = townships[county_code + suffix]
        village_rows += [
            _unit(village, f"{township.code}{index:03d}", OrgUnit.Kind.VILLAGE, township)
            for index, village in enumerate(villages, start=1)
        ]
    villages = _upsert_units(village_rows)
    departments = _upsert_units(
        [
            _unit(name, county_code + suffix, OrgUnit.Kind.DEPARTMENT, county)
            for name, suffix in demo_county.DEPARTMENTS
        ]
    )
    log(
        f"Org tree: 1 county, {len(townships)} townships, {len(villages)} villages, "
        f"{len(departments)} departments."
    )
    context.update(
        county=county,
        townships=sorted(townships.values(), key=lambda unit: unit.code),
        villages=sorted(villages.values(), key=lambda unit: unit.code),
        departments=sorted(departments.values(), key=lambda unit: unit.code),
    )


def seed_periods(context, log=print):
    year = date.today().year
    spans = [
        (f"{year}年度", Period.Kind.YEAR, date(year, 1, 1), date(year, 12, 31)),
        (f"{year}年上半年", Period.Kind.HALF, date(year, 1, 1), date(year, 6, 30)),
        (f"{year}年下半年", Period.Kind.HALF, date(year, 7, 1), date(year, 12, 31)),
        *[
            (
                f"{year}年第{quarter}季度",
                Period.Kind.QUARTER,
                date(year, 3 * quarter - 2, 1),
                date(year, 3 * quarter, 31 if quarter in (1, 4) else 30),
            )
            for quarter in (1, 2, 3, 4)
        ],
    ]
    periods = [
        Period.objects.update_or_create(
            name=name, defaults={"kind": kind, "start_date": start, "end_date": end}
        )[0]
        for name, kind, start, end in spans
    ]
    log(f"Periods: {len(periods)} for {year}.")
    context.update(periods=periods, year_period=periods[0])
