"""Every object knows its address (STYLE 14): the pages, notifications, to-do items and the
API link through get_absolute_url, and the addresses are the ones the app has always used."""

import pytest

from apps.liaison.models import Case, Contact, RosterImport
from apps.objectives.models import (
    Evidence,
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
    UnitScore,
)
from apps.organizations.models import OrgUnit


@pytest.mark.parametrize(
    ("instance", "address"),
    [
        (ObjectivePlan(pk=7), "/objectives/plans/7/"),
        (Objective(pk=7), "/objectives/7/"),
        (ProgressReport(pk=7), "/objectives/reports/7/"),
        (Evidence(pk=7), "/objectives/evidence/7/"),
        (InnovationItem(pk=1, plan_id=7), "/objectives/plans/7/innovation/"),
        (UnitScore(pk=7), "/objectives/scores/7/"),
        (Reward(pk=1, plan_id=7), "/objectives/rewards/?plan=7"),
        (Contact(pk=7), "/liaison/households/7/"),
        (Case(pk=7), "/liaison/cases/7/"),
        (RosterImport(pk=7), "/liaison/representatives/import/7/"),
        (OrgUnit(pk=7), "/org/units/7/"),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, str) else "",
)
def test_every_object_knows_its_address(instance, address):
    assert instance.get_absolute_url() == address
