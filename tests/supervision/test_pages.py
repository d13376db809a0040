"""The item page's new steps (progress feedback, the unit leader's approval, the leader's
commendation) and the report page's pinned query count."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.roles import Role
from apps.supervision import services
from apps.supervision.models import ProgressDue, UnitSupervisionSetting
from tests.conftest import make_user
from tests.supervision.conftest import assign, inspect


def test_progress_and_approval_on_the_page(clock, county, county_admin, dept_liaison, client_as):
    head = make_user("dept_head", Role.DEPT_LIAISON, county.department)
    setting = UnitSupervisionSetting.objects.create(unit=county.department, requires_approval=True)
    setting.approvers.set([head])
    item = assign(
        county_admin, county, deadline=date(2027, 3, 31), progress_cycle="monthly", progress_day=25
    )
    services.accept_item(dept_liaison, item)
    url = item.get_absolute_url()
    page = client_as(dept_liaison).get(url)
    assert 'data-testid="progress-feedback"' in page.content.decode()
    response = client_as(dept_liaison).post(url, {"action": "progress", "text": "本月进展"})
    assert response.status_code == 302
    page = client_as(head).get(url).content.decode()
    assert 'data-testid="approve-feedback"' in page
    feedback = item.feedbacks.get()
    response = client_as(head).post(url, {"action": "approve-feedback", "feedback": feedback.pk})
    assert response.status_code == 302
    assert ProgressDue.objects.get(item=item, due=date(2026, 12, 25)).fed_back_at
    # A bad period is shown on the form, nothing written.
    response = client_as(dept_liaison).post(
        url, {"action": "progress", "text": "进展", "period": "2027-03-25"}
    )
    assert response.status_code == 200 and "2027-02-26" in response.content.decode()


def test_commendation_on_the_page(clock, item, county_admin, dept_liaison, leader, client_as):
    services.accept_item(dept_liaison, item)
    services.feed_back(dept_liaison, item, text="完成")
    response = client_as(county_admin).post(
        item.get_absolute_url(),
        {
            "action": "close",
            "evaluation": "satisfied",
            "commendation": "成效明显，值得推广",
            "commended_by": leader.pk,
        },
    )
    assert response.status_code == 302
    page = client_as(leader).get(item.get_absolute_url()).content.decode()
    assert "成效明显，值得推广" in page and 'data-testid="commend"' not in page
    assert client_as(leader).post(item.get_absolute_url(), {"action": "commend"}).status_code == 403


@pytest.mark.parametrize("role", ["county_admin", "township_a_staff"])
def test_the_report_page_query_count_is_pinned(
    clock, county, county_admin, dept_liaison, request, client_as, role
):
    user = request.getfixturevalue(role)

    def grow(count):
        for _index in range(count):
            item = assign(county_admin, county, cooperating_units=[])
            services.accept_item(dept_liaison, item)
            services.issue_slip(county_admin, item, colour="blue")
            inspect(county_admin, county)

    def count():
        client = client_as(User.objects.get(pk=user.pk))
        with CaptureQueriesContext(connection) as context:
            assert client.get("/supervision/reports/", {"year": 2026}).status_code == 200
        return len(context.captured_queries)

    grow(3)
    at_three = count()
    grow(20)
    assert (at_three, count()) == (PINNED[role],) * 2


# The session (read, then saved in a savepoint), the user, her memberships, the units of her
# area (county staff only: a township's own unit is in her memberships), the report's six
# queries, and the navbar's unread count.
PINNED = {"county_admin": 16, "township_a_staff": 15}
