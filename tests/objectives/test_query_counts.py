"""Objective pages and API lists run the same number of queries at 10 and at 200 rows."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.objectives import services
from apps.objectives.models import Evidence, InnovationItem, Objective, ProgressReport, Reward
from apps.organizations.models import OrgUnit
from tests.objectives.conftest import quantitative


@pytest.fixture
def grow(plan, county, county_admin, township_a_staff):
    """``grow(n)``: n more villages under township A, each with an objective, a report, an
    innovation item and a reward, then the plan scored."""
    root = services.add_objective(
        county_admin, plan, **quantitative(assignee_unit=county.township_a, weight=Decimal(10))
    )
    services.publish_plan(county_admin, plan)
    made = []

    def _grow(count):
        start = len(made)
        for index in range(start, start + count):
            village = OrgUnit.objects.create(
                name=f"新村{index}",
                code=f"100101{index + 100:03d}",
                kind="village",
                parent=county.township_a,
            )
            objective = Objective.objects.create(
                plan=plan,
                parent=root,
                depth=1,
                category="development",
                title=f"培训{index}",
                measure_unit="人次",
                target=Decimal(10),
                weight=Decimal("0.01"),
                due_date=date(2026, 12, 31),
                assignee_unit=village,
                published_at=plan.published_at,
            )
            report = ProgressReport.objects.create(
                objective=objective,
                cycle_end=date(2026, 12, 31),
                value=Decimal(5),
                completion=Decimal("0.5"),
                narrative="x",
                submitted_by=township_a_staff,
                submitted_at=datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
            )
            # Evidence shown beside each report in the review queue.
            Evidence.objects.create(
                report=report,
                file="evidence/x.png",
                original_name="现场.png",
                content_type="image/png",
                size=1,
                uploaded_by=township_a_staff,
            )
            item = InnovationItem.objects.create(
                plan=plan,
                unit=village,
                title="t",
                description="d",
                claimed_points=Decimal(1),
                claimed_by=township_a_staff,
            )
            Reward.objects.create(
                plan=plan, kind="innovation", unit=village, innovation_item=item, basis="b"
            )
            made.append(village)
        services.score_plan(plan)

    return _grow


PAGES = [
    "/objectives/",
    "/objectives/plans/{plan}/",
    "/objectives/plans/{plan}/?category=development",
    "/objectives/plans/{plan}/innovation/",
    "/objectives/{root}/",
    "/objectives/reports/",
    "/objectives/reports/?awaiting=me",
    "/objectives/reports/?awaiting=",
    "/objectives/scores/",
    "/objectives/rewards/",
    "/api/v1/objective-plans/",
    "/api/v1/objectives/",
    "/api/v1/progress-reports/",
    "/api/v1/innovation-items/",
    "/api/v1/scores/",
    "/api/v1/rewards/",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_query_count_does_not_grow(url, plan, grow, client_as, county_admin):
    client = client_as(county_admin)
    grow(10)
    root = plan.objectives.get(depth=0)
    url = url.format(plan=plan.pk, root=root.pk)
    at_ten = count_queries(client, url)
    grow(190)
    assert count_queries(client, url) == at_ten
