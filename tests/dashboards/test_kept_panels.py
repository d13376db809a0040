"""The panels kept until what they read changes: read once, then the same answer from the cache
until the rollups are refreshed, results are written, or a unit, a period or a scheme changes;
never shared between viewers whose roles or areas differ, nor between languages; and built as
before when Redis is away."""

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

KEPT = set(services.KEPT_PANELS)


def read(user, world, unit):
    """The dashboard as a new request builds it: its queries and its data."""
    with CaptureQueriesContext(connection) as queries:
        data = services.dashboard(fresh(user), world.period, unit)
    return len(queries), data


def cases_of(data, name):
    rows = {row["name"]: row for row in data["panels"]["cases"]["by_unit"]}
    return rows[name]["cases"]


def test_a_second_read_takes_the_kept_panels_from_the_cache(world, county, leader):
    cold, first = read(leader, world, county.county)
    warm, second = read(leader, world, county.county)
    assert second == first
    # The ranking one query, objectives one, cases two, referrals one, liaison one.
    assert cold - warm == 6


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


def ranking(data):
    """``{unit name: (total, rank)}`` of the first level the ranking shows."""
    [level] = data["panels"]["assessment"]["levels"]
    return {row["name"]: (row["total"], row["rank"]) for row in level["rows"]}


def test_results_scored_show_in_the_ranking_at_once(world, county, county_admin, leader):
    from apps.assessment import services as assessment
    from tests.assessment.test_rounds import hundred_twenty_five, self_scores

    scheme = hundred_twenty_five(county_admin, world.period)
    assert read(leader, world, county.county)[1]["panels"]["assessment"]["levels"] == []
    self_scores(scheme, county_admin, county.township_a, {"组织建设": 25, "阵地建设": 24})
    assessment.run_scoring(county_admin, scheme, "self")
    assert ranking(read(leader, world, county.county)[1])["甲镇"] == (49.0, 1)
    self_scores(scheme, county_admin, county.township_b, {"组织建设": 25, "巾帼建功": 30})
    assessment.run_scoring(county_admin, scheme, "self")
    assert ranking(read(leader, world, county.county)[1]) == {
        "乙镇": (55.0, 1),
        "甲镇": (49.0, 2),
    }


def test_a_round_ranked_approved_or_published_renews_the_ranking(
    world, county, county_admin, leader
):
    from apps.assessment import services as assessment
    from apps.assessment.models import ROUND_ORDER
    from tests.assessment.test_rounds import hundred_twenty_five

    scheme = hundred_twenty_five(county_admin, world.period)
    for round_ in ROUND_ORDER:
        assessment.score_scheme(scheme, round_)
    cold, _ = read(leader, world, county.county)
    steps = [
        lambda: assessment.rank_round(scheme, "final"),
        *(
            lambda round_=round_: assessment.approve_round(county_admin, scheme, round_)
            for round_ in ROUND_ORDER[:-1]
        ),
        lambda: assessment.approve_round(leader, scheme, "final"),
        lambda: assessment.publish_round(county_admin, scheme, "final"),
    ]
    for step in steps:
        read(leader, world, county.county)
        step()
        assert read(leader, world, county.county)[0] == cold


def test_a_scheme_deleted_takes_its_ranking_away(world, county, county_admin, leader):
    from apps.assessment import services as assessment
    from tests.assessment.test_rounds import hundred_twenty_five, self_scores

    scheme = hundred_twenty_five(county_admin, world.period)
    self_scores(scheme, county_admin, county.township_a, {"组织建设": 25})
    assessment.run_scoring(county_admin, scheme, "self")
    assert read(leader, world, county.county)[1]["panels"]["assessment"]["levels"]
    # In the admin: the results go with it, in one statement.
    scheme.delete()
    assert read(leader, world, county.county)[1]["panels"]["assessment"]["levels"] == []


def test_results_deleted_in_the_admin_leave_the_ranking(
    client, world, county, county_admin, leader
):
    from apps.assessment import services as assessment
    from apps.assessment.models import AssessmentResult
    from tests.assessment.test_rounds import hundred_twenty_five, self_scores

    scheme = hundred_twenty_five(county_admin, world.period)
    self_scores(scheme, county_admin, county.township_a, {"组织建设": 25})
    assessment.run_scoring(county_admin, scheme, "self")
    assert "甲镇" in ranking(read(leader, world, county.county)[1])
    county_admin.is_staff = county_admin.is_superuser = True
    county_admin.save()
    client.force_login(county_admin, backend="django.contrib.auth.backends.ModelBackend")
    selected = AssessmentResult.objects.filter(unit=county.township_a)
    response = client.post(
        "/admin/assessment/assessmentresult/",
        {
            "action": "delete_selected",
            "_selected_action": list(selected.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302 and not selected.exists()
    assert "甲镇" not in ranking(read(leader, world, county.county)[1])


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
