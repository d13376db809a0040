"""The rollup panels kept between two refreshes: read once, then the same answer from the cache
until the rollups, a unit or a period change; never shared between viewers whose roles or
areas differ, nor between languages; and built as before when Redis is away."""

from datetime import date

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.dashboards import services
from apps.dashboards.models import CaseMonth
from tests.dashboards.test_api import URL, fresh

KEPT = set(services.ROLLUP_PANELS)


def read(user, world, unit):
    """The dashboard as a new request builds it: its queries and its data."""
    with CaptureQueriesContext(connection) as queries:
        data = services.dashboard(fresh(user), world.period, unit)
    return len(queries), data


def cases_of(data, name):
    rows = {row["name"]: row for row in data["panels"]["cases"]["by_unit"]}
    return rows[name]["cases"]


def test_a_second_read_takes_the_rollup_panels_from_the_cache(world, county, leader):
    cold, first = read(leader, world, county.county)
    warm, second = read(leader, world, county.county)
    assert second == first
    # Objectives one query, cases two, referrals one, liaison one.
    assert cold - warm == 5


def test_a_refresh_shows_the_new_figures(world, county, leader, django_capture_on_commit_callbacks):
    _, before = read(leader, world, county.county)
    month = date(world.period.start_date.year, 1, 1)
    CaseMonth.objects.create(unit=county.village_a1, month=month, category="hardship", cases=7)
    # Not yet refreshed: the panel kept is still what the rollups say.
    assert cases_of(read(leader, world, county.county)[1], "甲镇") == cases_of(before, "甲镇")
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_area_rows(months=[month])
    _, after = read(leader, world, county.county)
    assert cases_of(after, "甲镇") == cases_of(before, "甲镇") + 7


def test_a_panel_built_before_a_refresh_commits_is_not_read_after_it(
    world, county, leader, django_capture_on_commit_callbacks
):
    cold, _ = read(leader, world, county.county)
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_area_rows(months=[date(world.period.start_date.year, 1, 1)])
        # Another request reads meanwhile, from the figures before the refresh commits.
        read(leader, world, county.county)
    assert read(leader, world, county.county)[0] == cold


def test_a_renamed_unit_is_shown_by_its_new_name(world, county, leader):
    read(leader, world, county.county)
    county.township_a.name = "甲街道"
    county.township_a.save()
    _, data = read(leader, world, county.county)
    for panel in ("objectives", "cases", "liaison"):
        assert "甲街道" in {row["name"] for row in data["panels"][panel]["by_unit"]}, panel


def test_a_migration_renews_the_panels(world, county, leader):
    # A data migration may rewrite rollups without going through a refresh.
    cold, _ = read(leader, world, county.county)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert read(leader, world, county.county)[0] == cold


def test_viewers_with_other_roles_do_not_share_a_panel(world, county, leader, township_a_staff):
    # The leader reads the departments' responsiveness; township staff do not (ISSUE 9), even
    # on the same township's view.
    _, leaders = read(leader, world, county.township_a)
    _, staff = read(township_a_staff, world, county.township_a)
    assert leaders["panels"]["referrals"]["available"] is True
    assert staff["panels"]["referrals"] == {
        "available": False,
        "by_department": [],
        "title": staff["panels"]["referrals"]["title"],
    }


def test_each_language_keeps_its_own_labels(world, county, leader):
    with translation.override("zh-hans"):
        _, chinese = read(leader, world, county.county)
    with translation.override("en"):
        _, english = read(leader, world, county.county)
    labels = {row["key"]: row["label"] for row in english["panels"]["cases"]["by_category"]}
    assert (
        labels["hardship"]
        != {row["key"]: row["label"] for row in chinese["panels"]["cases"]["by_category"]}[
            "hardship"
        ]
    )
    assert labels["hardship"].isascii()


@pytest.fixture
def redis_away(monkeypatch):
    def away(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    for method in ("get", "get_many", "set", "set_many", "add"):
        monkeypatch.setattr(f"apps.dashboards.services.cache.{method}", away)


def test_without_redis_the_dashboard_is_built_as_before(world, county, leader, api_as, redis_away):
    cold, built = read(leader, world, county.county)
    again, rebuilt = read(leader, world, county.county)
    assert rebuilt == built and again == cold
    assert set(built["panels"]) >= KEPT
    # A refresh while Redis is away goes through too.
    assert services.refresh_area_rows(months=[date(world.period.start_date.year, 1, 1)]) >= 0
    assert api_as(leader).get(URL).status_code == 200
