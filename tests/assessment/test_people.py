"""A 执委 scheme scored from each representative's own liaison records (per-person figures,
set-based), a department scheme from joint-meeting decisions, and approving a whole round."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.assessment import services, sources
from apps.assessment.models import AssessmentLine, AssessmentResult
from apps.coordination.models import JointMeeting, MeetingDecision
from apps.core.roles import Role
from apps.liaison.models import Visit
from tests.assessment.conftest import scored
from tests.conftest import make_user
from tests.liaison.conftest import make_representative

D = Decimal


def visits(representative, count, mode="home", on=datetime.date(2026, 3, 2)):
    Visit.objects.bulk_create(
        Visit(
            unit=representative.unit,
            representative=representative,
            visited_on=on,
            mode=mode,
            summary="走访",
        )
        for _n in range(count)
    )


def person_scheme(county_admin, year):
    """60 base; 参加集中活动 deducts 10 from one who never took part; 走访 adds 1 a visit up
    to 10."""
    return services.save_scheme(
        county_admin,
        title="2026年度执委履职考核",
        period=year,
        level="person",
        base_points=60,
        indicators=[
            {
                "title": "参加集中活动",
                "max_points": 10,
                "kind": "incident",
                "source": "liaison.person_absent",
                "rule": {"per_event": -10},
            },
            {
                "title": "走访联系户",
                "max_points": 10,
                "kind": "incident",
                "source": "liaison.person_visits",
                "rule": {"per_event": 1},
            },
        ],
        result_rule={"grades": [{"name": "称职", "min": 60}, {"name": "不称职"}]},
    )


@pytest.fixture
def people(county, village_a1_rep, village_b1_rep):
    """Two representatives of 甲一村 with different records, and 乙一村's chair, who holds a
    village role but is not on the liaison roll (not an 执委, so not scored)."""
    first = make_representative(village_a1_rep, county.village_a1, "A1-01")
    second = make_representative(
        make_user("village_a1_rep2", Role.VILLAGE_REP, county.village_a1),
        county.village_a1,
        "A1-02",
    )
    visits(first, 11)
    visits(first, 1, mode="gathering")
    visits(second, 3)
    visits(second, 4, on=datetime.date(2025, 12, 30))  # last year's: not counted
    return first.user, second.user, village_b1_rep


def test_each_representative_is_scored_from_her_own_records(county_admin, year, people):
    first, second, chair = people
    scheme = person_scheme(county_admin, year)

    results = {r.person_id: r for r in scored(scheme, "self")}

    # 60 + 0 + min(12, 10) = 70; 60 − 10 + 3 = 53.
    assert results[first.pk].total == D("70.00")
    assert results[second.pk].total == D("53.00")
    assert chair.pk not in results
    lines = {
        line.indicator.title: line
        for line in AssessmentLine.objects.filter(result=results[second.pk]).select_related(
            "indicator"
        )
    }
    assert (lines["走访联系户"].raw, lines["走访联系户"].points) == (D(3), D(3))
    assert (lines["参加集中活动"].raw, lines["参加集中活动"].points) == (D(1), D(-10))
    assert lines["走访联系户"].sources[0].startswith("/liaison/coverage/?")


def test_person_figures_take_the_same_queries_for_many_people(county, county_admin, year, people):
    scheme = person_scheme(county_admin, year)
    with CaptureQueriesContext(connection) as few:
        services.score_scheme(scheme, "self")
    for number in range(8):
        user = make_user(f"rep{number}", Role.VILLAGE_REP, county.village_a2)
        visits(make_representative(user, county.village_a2, f"A2-{number}"), 2 + number)
    with CaptureQueriesContext(connection) as many:
        written = services.score_scheme(scheme, "initial")
    assert written == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_person_source_reads_only_the_villages_asked(county, year, people):
    first, second, chair = people
    read = sources.get("liaison.person_visits").read
    figures = read(year, [county.village_a1.pk])
    assert figures == {
        sources.person_key(first.pk): sources.Figure(
            D(12), figures[sources.person_key(first.pk)].links
        ),
        sources.person_key(second.pk): sources.Figure(
            D(3), figures[sources.person_key(second.pk)].links
        ),
    }


def decision(meeting, owner, deadline, *, done_on=None):
    done_at = None
    if done_on:
        done_at = timezone.make_aware(datetime.datetime.combine(done_on, datetime.time(10)))
    return MeetingDecision.objects.create(
        meeting=meeting,
        text="落实",
        owner=owner,
        deadline=deadline,
        state="done" if done_on else "open",
        done_at=done_at,
    )


def test_decision_figures_count_what_each_department_owes(county, county_admin, year, departments):
    meeting = JointMeeting.objects.create(
        county=county.county, title="第一次联席会议", held_on="2026-02-01", recorded_by=county_admin
    )
    health, civil = departments
    decision(meeting, health, datetime.date(2026, 3, 1), done_on=datetime.date(2026, 2, 20))
    decision(meeting, health, datetime.date(2026, 3, 1), done_on=datetime.date(2026, 3, 9))
    decision(meeting, health, datetime.date(2026, 4, 1))
    decision(meeting, health, datetime.date(2027, 4, 1))  # due next year: not this year's
    units = [health, civil]

    def raw(code):
        figures = sources.get(code).read(year, [unit.pk for unit in units])
        return {unit.name: figures[unit.pk].raw for unit in units if unit.pk in figures}

    assert raw("coordination.decisions_done") == {"县卫健局": 2}
    assert raw("coordination.decisions_overdue") == {"县卫健局": 1}
    assert raw("coordination.decisions_done_on_time_rate")["县卫健局"].quantize(D("0.01")) == D(
        "33.33"
    )


def test_a_round_is_approved_at_once_in_order(county_admin, leader, year, people):
    scheme = person_scheme(county_admin, year)
    for round_ in ["self", "initial"]:
        services.score_scheme(scheme, round_)
    with pytest.raises(ValidationError, match="自评|Self-assessment"):
        services.approve_round(county_admin, scheme, "initial")
    assert not AssessmentResult.objects.filter(scheme=scheme).exclude(approved_at=None).exists()
    with pytest.raises(PermissionDenied):
        services.approve_round(leader, scheme, "self")
    assert services.approve_round(county_admin, scheme, "self") == 2
    assert services.approve_round(county_admin, scheme, "initial") == 2
    assert services.approve_round(county_admin, scheme, "initial") == 0
    services.score_scheme(scheme, "review")
    services.approve_round(county_admin, scheme, "review")
    services.score_scheme(scheme, "final")
    with pytest.raises(PermissionDenied):
        services.approve_round(county_admin, scheme, "final")
    assert services.approve_round(leader, scheme, "final") == 2
