"""rounded: half away from zero, as PostgreSQL rounds into a numeric column."""

from decimal import Decimal

from django.db import connection

from apps.core.decimals import rounded


def test_rounds_half_away_from_zero_to_the_step_as_postgresql_does(db):
    values = ["0.125", "-0.125", "2.675", "1.33335", "-0.00005"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("%s::numeric(10,2), %s::numeric(10,4)" for _ in values),
            [value for value in values for _step in (0, 1)],
        )
        stored = cursor.fetchone()
    steps = (Decimal("0.01"), Decimal("0.0001"))
    ours = [rounded(Decimal(value), step) for value in values for step in steps]
    assert list(stored) == ours
    assert ours[:2] == [Decimal("0.13"), Decimal("0.1250")]
    assert rounded(Decimal("-0.125")) == Decimal("-0.13")
