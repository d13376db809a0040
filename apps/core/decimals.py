"""Decimals rounded as PostgreSQL rounds a value into a numeric column: half away from zero,
which is Python's ROUND_HALF_UP. Scoring works figures out in Python that the database stored
before, and a night's run must write the very same digits."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def rounded(value, step=CENT):
    return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)
