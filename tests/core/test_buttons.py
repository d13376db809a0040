"""No page shows a button or link that the server then refuses with 403: what a role may
not do is not offered (apps/core/templatetags/permissions.py)."""

import re
from datetime import date

import pytest
from django.urls import Resolver404, resolve

from apps.core.permissions import may_request
from tests.objectives.conftest import quantitative

LINK = re.compile(r'(href|action)="(/[^"?#]*)')


def write_links(html, user):
    """The links and form targets on a page whose view the user's role may not use: a link
    is followed with GET, a form is sent with POST."""
    refused = []
    for attribute, path in set(LINK.findall(html)):
        try:
            view_class = getattr(resolve(path).func, "view_class", None)
        except Resolver404:
            continue
        if not hasattr(view_class, "write_roles"):
            continue  # a page for everyone signed in (sign-out, language …)
        method = "GET" if attribute == "href" else "POST"
        if not may_request(user, method, view_class):
            refused.append(path)
    return sorted(refused)


@pytest.fixture
def pages(county, county_admin):
    from apps.objectives import services
    from apps.organizations.models import Period

    period = Period.objects.create(
        name="2026年度", kind="year", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    plan = services.create_plan(county_admin, period=period, unit=county.county, title="责任书")
    services.add_objective(county_admin, plan, **quantitative(assignee_unit=county.township_a))
    return [
        "/org/units/",
        f"/org/units/{county.county.pk}/",
        f"/org/units/{county.township_a.pk}/",
        f"/org/units/{county.department.pk}/",
        "/org/periods/",
        "/objectives/",
        f"/objectives/plans/{plan.pk}/",
        "/objectives/rewards/",
        "/liaison/households/",
        "/liaison/representatives/",
    ]


@pytest.mark.parametrize(
    "persona", ["county_admin", "township_a_staff", "village_a1_rep", "dept_liaison", "leader"]
)
def test_no_page_offers_what_the_role_may_not_do(request, client_as, pages, persona):
    user = request.getfixturevalue(persona)
    client = client_as(user)
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            continue  # not this role's page at all
        assert write_links(response.content.decode(), user) == [], (persona, url)


@pytest.mark.parametrize("persona", ["leader", "dept_liaison"])
def test_leader_and_department_see_no_edit_on_org_units(request, client_as, county, persona):
    user = request.getfixturevalue(persona)
    unit = user.primary_membership.unit
    page = client_as(user).get(f"/org/units/{unit.pk}/")
    assert page.status_code == 200
    assert "编辑" not in page.content.decode()
    assert f"/org/units/{unit.pk}/edit/" not in page.content.decode()
    assert client_as(user).get(f"/org/units/{unit.pk}/edit/").status_code == 403


def test_county_admin_sees_edit_and_may_use_it(client_as, county, county_admin):
    page = client_as(county_admin).get(f"/org/units/{county.township_a.pk}/").content.decode()
    assert "编辑" in page and f"/org/units/{county.township_a.pk}/edit/" in page
    assert (
        client_as(county_admin).get(f"/org/units/{county.township_a.pk}/edit/").status_code == 200
    )
