"""Representatives and households in the test county: one representative per village."""

from datetime import date

import pytest

from apps.liaison.models import Contact, Representative


def make_representative(user, unit, number, specialties=()):
    return Representative.objects.create(
        unit=unit,
        user=user,
        number=number,
        full_name=user.full_name or user.username,
        sector="farmer",
        specialties=list(specialties),
        term_start=date(2024, 1, 1),
        term_end=date(2028, 12, 31),
    )


@pytest.fixture
def rep_a1(village_a1_rep, county):
    return make_representative(village_a1_rep, county.village_a1, "A1-01", ["legal"])


@pytest.fixture
def rep_b1(village_b1_rep, county):
    return make_representative(village_b1_rep, county.village_b1, "B1-01", ["mediation"])


def make_household(representative):
    """A green household of ``representative``'s village."""
    return Contact.objects.create(
        unit=representative.unit,
        representative=representative,
        name="张桂芳",
        phone="13812345678",
        address="甲一村三组12号",
        risk="green",
    )


@pytest.fixture
def household_a1(rep_a1):
    return make_household(rep_a1)


@pytest.fixture
def household_b1(rep_b1, county):
    return Contact.objects.create(
        unit=county.village_b1,
        representative=rep_b1,
        name="李秀兰",
        phone="13987654321",
        address="乙一村五组3号",
        risk="red",
    )
