"""A prefecture's plan: the prefecture's staff hand parts to its two counties, each county's
staff report, and the counties are scored and ranked among counties."""

from decimal import Decimal

from apps.core.roles import Role
from apps.objectives import services
from apps.objectives.models import UnitScore
from apps.objectives.services import planning
from tests.conftest import make_user
from tests.objectives.conftest import quantitative
from tests.objectives.test_scoring import report_and_approve
from tests.organizations.test_upper_levels import tree  # noqa: F401 (a fixture)


def test_a_prefecture_plan_scores_and_ranks_its_counties(tree, period):  # noqa: F811
    staff = make_user("prefecture_admin", Role.COUNTY_ADMIN, tree.prefecture)
    plan = services.create_plan(staff, period=period, unit=tree.prefecture, title="市目标责任书")
    training = services.add_objective(staff, plan, **quantitative(assignee_unit=tree.prefecture))
    parts = [
        services.add_objective(
            staff,
            plan,
            parent=training,
            **quantitative(assignee_unit=county, weight=Decimal(5), target=Decimal(150)),
        )
        for county in (tree.county_1, tree.county_2)
    ]
    assert {unit for unit, _person in planning.assignable(staff, training)} >= {
        tree.county_1,
        tree.county_2,
        tree.department,
    }
    services.publish_plan(staff, plan)
    # Each county's own staff report; the prefecture approves. County 2 does better.
    for county, part, value in ((tree.county_1, parts[0], 60), (tree.county_2, parts[1], 150)):
        reporter = make_user(f"{county.code}_admin", Role.COUNTY_ADMIN, county)
        report_and_approve(reporter, staff, part, value)
    services.score_plan(plan)
    scores = {
        score.unit_id: (score.level, score.rank)
        for score in UnitScore.objects.filter(plan=plan, person__isnull=True)
    }
    assert scores[tree.county_2.pk] == (UnitScore.Level.COUNTY, 1)
    assert scores[tree.county_1.pk] == (UnitScore.Level.COUNTY, 2)
