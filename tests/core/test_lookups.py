"""``__any``: the rows ``__in`` finds, with the values sent as one array."""

import pytest

from apps.accounts.models import Membership
from apps.organizations.models import OrgUnit


@pytest.mark.django_db
def test_any_finds_what_in_finds_on_a_column_and_a_foreign_key(county):
    wanted = [county.village_a1.pk, county.village_b1.pk]
    assert set(OrgUnit.objects.filter(pk__any=wanted)) == set(OrgUnit.objects.filter(pk__in=wanted))
    children = OrgUnit.objects.filter(parent__any=[county.township_a.pk])
    assert set(children) == {county.village_a1, county.village_a2}


@pytest.mark.django_db
def test_any_sends_one_array_and_an_empty_one_finds_nothing(county):
    assert not OrgUnit.objects.filter(pk__any=[]).exists()
    assert not Membership.objects.filter(unit__any=[]).exists()
    ids = [*OrgUnit.objects.values_list("pk", flat=True), *range(-1000, 0)]
    many = OrgUnit.objects.filter(pk__any=ids)
    sql, params = many.query.sql_with_params()
    assert "= ANY(%s)" in sql and params == (ids,)
    assert set(many) == set(OrgUnit.objects.all())
