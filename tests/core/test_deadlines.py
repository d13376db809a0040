from datetime import date
from decimal import Decimal

import pytest

from apps.core.deadlines import Light, expected_pace, traffic_light

START, DUE = date(2026, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "completion", "done", "light"),
    [
        (date(2026, 7, 2), Decimal("0.50"), False, Light.GREEN),  # on pace
        (date(2026, 7, 2), Decimal("0.35"), False, Light.YELLOW),  # 15 points behind
        (date(2026, 7, 2), Decimal("0.20"), False, Light.RED),  # 30 points behind
        (date(2026, 12, 30), Decimal("1.00"), False, Light.YELLOW),  # due in a day
        (date(2027, 1, 1), Decimal("0.99"), False, Light.RED),  # past due
        (date(2027, 1, 1), Decimal("0.20"), True, Light.GREEN),  # done is done
    ],
)
def test_traffic_light(today, completion, done, light):
    assert traffic_light(DUE, today, start=START, completion=completion, done=done) == light


def test_without_progress_only_the_date_counts():
    assert traffic_light(date(2026, 5, 10), date(2026, 5, 1)) == Light.GREEN
    assert traffic_light(date(2026, 5, 3), date(2026, 5, 1)) == Light.YELLOW
    assert traffic_light(date(2026, 4, 30), date(2026, 5, 1)) == Light.RED


def test_expected_pace_is_bounded():
    assert expected_pace(START, DUE, date(2025, 12, 1)) == 0
    assert expected_pace(START, DUE, date(2027, 2, 1)) == 1
