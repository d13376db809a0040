"""The deadline engine: one green / yellow / red rule for everything that has a due date.

Objectives, supervised items, referrals, case follow-ups and visits due by risk colour all ask
this module, so a light means the same thing on every page and in every reminder.
"""

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

WARN_DAYS = 3
# How far behind the expected pace (as a share of the whole) turns a light yellow, then red.
BEHIND_YELLOW = Decimal("0.10")
BEHIND_RED = Decimal("0.25")


class Light(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("At risk")
    RED = "red", _("Overdue or behind")


def expected_pace(start, due, today):
    """Share of the work that should be done by ``today`` if it runs evenly from start to due."""
    if today <= start:
        return Decimal(0)
    if today >= due or due <= start:
        return Decimal(1)
    return Decimal((today - start).days) / Decimal((due - start).days)


def traffic_light(due, today=None, *, start=None, completion=None, done=False, warn_days=WARN_DAYS):
    """Green, yellow or red for work due on ``due``.

    Done work is green. Past the due date it is red. With a ``start`` and a ``completion``
    (0–1), work behind the even pace by more than BEHIND_RED is red and by more than
    BEHIND_YELLOW is yellow. Otherwise work due within ``warn_days`` is yellow.
    """
    today = today or date.today()
    if done:
        return Light.GREEN
    if today > due:
        return Light.RED
    if start is not None and completion is not None:
        behind = expected_pace(start, due, today) - Decimal(completion)
        if behind > BEHIND_RED:
            return Light.RED
        if behind > BEHIND_YELLOW:
            return Light.YELLOW
    if (due - today).days <= warn_days:
        return Light.YELLOW
    return Light.GREEN
