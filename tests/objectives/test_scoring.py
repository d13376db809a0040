"""考核奖励: set-based scoring, innovation awards within the cap, closing and rewards."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from apps.objectives import services
from apps.objectives.models import InnovationItem, Objective, ObjectivePlan, Reward, UnitScore
from apps.organizations.models import Period
from tests.objectives.conftest import quantitative


def report_and_approve(rep, reviewer, objective, value, cycle_end=date(2026, 12, 31)):
    report = services.submit_report(
        rep, objective, cycle_end=cycle_end, value=Decimal(value), narrative="工作推进中"
    )
    return services.approve_report(reviewer, report)


@pytest.fixture
def running_plan(
    split_training, county, county_admin, township_a_staff, village_a1_rep, village_b1_rep
):
    """Training split to both townships; township A splits to its two villages; township B's
    part is reported by township B staff directly."""
    from apps.core.roles import Role
    from tests.conftest import make_user

    part_a, part_b = split_training
    plan = part_a.plan
    services.publish_plan(county_admin, plan)
    village_parts = [
        services.add_objective(
            township_a_staff,
            plan,
            parent=part_a,
            **quantitative(assignee_unit=village, weight=Decimal(3), target=Decimal(90)),
        )
        for village in (county.village_a1, county.village_a2)
    ]
    services.publish_decomposition(township_a_staff, part_a)
    township_b_staff = make_user("b_staff", Role.TOWNSHIP_STAFF, county.township_b)
    # Village A1 exceeds its target (capped at 120%); A2 reaches half; township B a quarter.
    report_and_approve(village_a1_rep, township_a_staff, village_parts[0], 180)
    village_a2_rep = make_user("a2_rep", Role.VILLAGE_REP, county.village_a2)
    report_and_approve(village_a2_rep, township_a_staff, village_parts[1], 45)
    report_and_approve(township_b_staff, county_admin, part_b, 30)
    return plan


def claim_grid_work(user, plan, unit):
    """The unit's claim of 4 innovation points for its grid work (巾帼网格化联系群众)."""
    return services.claim_innovation(
        user,
        plan,
        unit=unit,
        title="巾帼网格化联系群众",
        description="按网格联系妇女群众",
        claimed_points=Decimal(4),
    )


def scores(plan):
    return {
        (s.unit.name, s.person_id): (s.score, s.grade, s.rank)
        for s in UnitScore.objects.filter(plan=plan).select_related("unit")
    }


def test_scores_follow_the_records(running_plan):
    services.score_plan(running_plan)
    leaves = {o.assignee_unit.name: o for o in Objective.objects.filter(depth=2)}
    assert leaves["甲一村"].points == Decimal("3.60")  # 3 × min(2.0, 1.2)
    assert leaves["甲二村"].points == Decimal("1.50")  # 3 × 0.5
    assert scores(running_plan) == {
        ("甲镇", None): (Decimal("85.00"), "good", 1),  # (3.6 + 1.5) / 6
        ("乙镇", None): (Decimal("25.00"), "fail", 2),  # 4 × 0.25 / 4
        ("甲一村", None): (Decimal("120.00"), "excellent", 1),
        ("甲二村", None): (Decimal("50.00"), "fail", 2),
    }


def test_scoring_twice_gives_the_same_numbers(running_plan):
    services.score_plan(running_plan)
    first = scores(running_plan)
    services.score_plan(running_plan)
    assert scores(running_plan) == first
    assert UnitScore.objects.filter(plan=running_plan).count() == 4


def test_late_reports_are_deducted(running_plan, county, village_a1_rep):
    leaf = Objective.objects.get(assignee_unit=county.village_a1)
    # The first quarter's report, filed now, is months late.
    services.submit_report(
        village_a1_rep, leaf, cycle_end=date(2026, 3, 31), value=Decimal(10), narrative="补报"
    )
    services.score_plan(running_plan)
    leaf.refresh_from_db()
    assert leaf.deductions == Decimal("0.30")  # 10% of its 3 points
    assert leaf.points == Decimal("3.30")


def test_innovation_points_count_within_the_cap(
    running_plan, county, county_admin, township_a_staff
):
    first = claim_grid_work(township_a_staff, running_plan, county.township_a)
    services.award_innovation(county_admin, first, points=Decimal(4))
    second = services.claim_innovation(
        township_a_staff,
        running_plan,
        unit=county.township_a,
        title="妇女议事会",
        description="每月议事",
        claimed_points=Decimal(3),
    )
    with pytest.raises(ValidationError, match="上限为 5.00 分"):
        services.award_innovation(county_admin, second, points=Decimal(3))
    services.award_innovation(county_admin, second, points=Decimal(1))
    services.score_plan(running_plan)
    assert scores(running_plan)[("甲镇", None)][0] == Decimal("90.00")  # 85 + 5


def test_only_county_staff_award(running_plan, county, township_a_staff):
    item = services.claim_innovation(
        township_a_staff,
        running_plan,
        unit=county.township_a,
        title="t",
        description="d",
        claimed_points=Decimal(2),
    )
    with pytest.raises(PermissionDenied):
        services.award_innovation(township_a_staff, item, points=Decimal(2))
    assert InnovationItem.objects.get().status == "claimed"


def test_closing_freezes_scores_and_proposes_rewards_once(running_plan, county_admin, leader):
    services.close_plan(county_admin, running_plan)
    assert not UnitScore.objects.filter(plan=running_plan, frozen=False).exists()
    proposals = Reward.objects.filter(plan=running_plan)
    assert [(r.kind, r.unit.name) for r in proposals] == [("collective", "甲一村")]

    services.close_plan(county_admin, running_plan)  # a second close changes nothing
    assert Reward.objects.filter(plan=running_plan).count() == 1
    assert services.score_plan(running_plan) is False  # frozen: the nightly job skips it


def test_reward_goes_proposed_confirmed_approved_published(running_plan, county_admin, leader):
    services.close_plan(county_admin, running_plan)
    reward = Reward.objects.get()
    with pytest.raises(PermissionDenied):
        services.approve_reward(county_admin, reward)
    with pytest.raises(ValidationError):
        services.approve_reward(leader, reward)  # not confirmed yet
    services.confirm_reward(county_admin, reward)
    services.approve_reward(leader, reward)
    services.publish_reward(county_admin, reward)
    assert reward.status == Reward.Status.PUBLISHED


def test_second_reward_for_same_unit_is_refused(running_plan, county, county_admin):
    services.close_plan(county_admin, running_plan)
    duplicate = Reward(
        plan=running_plan, kind=Reward.Kind.COLLECTIVE, unit=county.village_a1, basis="再来一次"
    )
    with pytest.raises(ValidationError, match="已获得本责任书的这一奖项"):
        duplicate.full_clean()


def test_published_rewards_are_seen_county_wide(running_plan, county_admin, leader, village_b1_rep):
    services.close_plan(county_admin, running_plan)
    reward = Reward.objects.get()
    assert not Reward.objects.for_user(village_b1_rep).exists()
    assert Reward.objects.for_user(leader).count() == 1
    services.confirm_reward(county_admin, reward)
    services.approve_reward(leader, reward)
    services.publish_reward(county_admin, reward)
    assert list(Reward.objects.for_user(village_b1_rep)) == [reward]


def test_only_the_objectives_whose_figures_moved_are_rewritten(running_plan, county):
    from django.contrib.auth import get_user_model

    from apps.objectives.services.scoring import score_objectives

    services.score_plan(running_plan)
    assert score_objectives(running_plan) == 0  # a quiet night writes nothing
    leaf = Objective.objects.get(assignee_unit=county.village_a2)
    services.submit_report(
        get_user_model().objects.get(username="a2_rep"),
        leaf,
        cycle_end=date(2026, 3, 31),
        value=Decimal(10),
        narrative="补报",
    )
    # The late report moves the leaf's deductions and its two ancestors' sums, nothing else.
    assert score_objectives(running_plan) == 3
    figures = {
        o.assignee_unit.name: (o.completion, o.deductions, o.points)
        for o in Objective.objects.filter(plan=running_plan).select_related("assignee_unit")
    }
    assert figures["甲二村"] == (Decimal("0.5000"), Decimal("0.30"), Decimal("1.20"))
    assert figures["甲镇"] == (Decimal("1.2500"), Decimal("0.30"), Decimal("4.80"))
    assert figures["测试县"][1:] == (Decimal("0.30"), Decimal("5.80"))


def test_a_run_that_dies_halfway_leaves_the_last_numbers_and_a_rerun_matches(
    running_plan, monkeypatch
):
    services.score_plan(running_plan)
    before = scores(running_plan)
    from apps.objectives.services import scoring

    def worker_killed(plan):
        raise SystemExit("worker lost")

    monkeypatch.setattr(scoring, "rank_scores", worker_killed)
    with pytest.raises(SystemExit):
        services.score_plan(running_plan)
    assert scores(running_plan) == before  # the half-done run was rolled back
    monkeypatch.undo()
    services.score_plan(running_plan)
    assert scores(running_plan) == before


def test_personal_objectives_are_scored_and_ranked_among_persons(
    running_plan, county, county_admin
):
    from apps.core.roles import Role
    from tests.conftest import make_user

    colleague = make_user("a_colleague", Role.TOWNSHIP_STAFF, county.township_a)
    # 个人目标 written straight into the running plan (decomposing to a person is covered in
    # test_planning); here only its scoring matters.
    personal = Objective.objects.create(
        plan=running_plan,
        depth=0,
        category="development",
        title="走访联系户",
        measure_unit="户",
        target=Decimal(60),
        weight=Decimal(2),
        due_date=date(2026, 12, 31),
        assignee_unit=county.township_a,
        assignee_person=colleague,
        published_at=running_plan.published_at,
    )
    report_and_approve(colleague, county_admin, personal, 30)
    services.score_plan(running_plan)
    person_score = UnitScore.objects.get(plan=running_plan, person=colleague)
    assert (person_score.level, person_score.score, person_score.rank) == (
        "person",
        Decimal("50.00"),
        1,
    )
    # The township's own score is untouched by its staffer's personal objective.
    assert scores(running_plan)[("甲镇", None)][0] == Decimal("85.00")


class TestRewardSteps:
    """Each step tells the next person; a reward can be sent back with a reason."""

    @pytest.fixture
    def reward(self, running_plan, county_admin):
        services.close_plan(county_admin, running_plan)
        return Reward.objects.get()

    def test_each_step_tells_the_next_person(self, reward, county_admin, leader, village_a1_rep):
        rewards_page = f"/objectives/rewards/?plan={reward.plan_id}"
        assert services.confirm_reward(county_admin, reward) == [leader]
        assert leader.notifications.get().url == rewards_page
        assert services.approve_reward(leader, reward) == [county_admin]
        assert county_admin.notifications.filter(key__startswith="reward-approved").exists()
        # The collective reward goes to the people of village A1.
        assert services.publish_reward(county_admin, reward) == [village_a1_rep]
        told = village_a1_rep.notifications.get(key__startswith="reward-published")
        assert "甲一村" in told.title and told.url == rewards_page

    def test_a_leader_sends_a_confirmed_reward_back_with_a_reason(
        self, reward, county_admin, leader
    ):
        services.confirm_reward(county_admin, reward)
        with pytest.raises(ValidationError) as error:
            services.return_reward(leader, reward, "  ")
        assert "reason" in error.value.message_dict
        assert services.return_reward(leader, reward, "佐证材料不足") == [county_admin]
        reward.refresh_from_db()
        assert (reward.status, reward.return_reason, reward.returned_by) == (
            "proposed",
            "佐证材料不足",
            leader,
        )
        assert reward.confirmed_by is None
        assert (
            county_admin.notifications.get(key__startswith="reward-returned").body == "佐证材料不足"
        )
        # Confirmed again after a fix: the leader is asked again (a new round, a new message).
        assert services.confirm_reward(county_admin, reward) == [leader]
        assert leader.notifications.filter(key__startswith="reward-confirmed").count() == 2

    def test_county_staff_reject_a_proposal_for_good(
        self, reward, running_plan, county_admin, leader
    ):
        with pytest.raises(ValidationError):
            services.return_reward(leader, reward, "不是你的步骤")  # a proposal is not the leader's
        assert services.return_reward(county_admin, reward, "重复表彰") == []
        reward.refresh_from_db()
        assert reward.status == "rejected"
        with pytest.raises(ValidationError):
            services.confirm_reward(county_admin, reward)
        services.close_plan(county_admin, running_plan)  # re-running close proposes nothing new
        assert list(Reward.objects.all()) == [reward]

    def test_others_cannot_send_rewards_back(self, reward, county_admin, village_a1_rep):
        with pytest.raises(PermissionDenied):
            services.return_reward(village_a1_rep, reward, "x")
        with pytest.raises(ValidationError):
            services.return_reward(county_admin, reward, "x" * 301)
        reward.refresh_from_db()
        assert reward.status == "proposed"

    def test_return_through_the_api(self, reward, api_as, county_admin, leader):
        services.confirm_reward(county_admin, reward)
        url = f"/api/v1/rewards/{reward.pk}/return/"
        missing = api_as(leader).post(url, {}, format="json")
        assert missing.status_code == 400 and "reason" in missing.json()
        returned = api_as(leader).post(url, {"reason": "材料不足"}, format="json")
        assert returned.status_code == 200
        assert returned.json()["status"] == "proposed"
        assert returned.json()["return_reason"] == "材料不足"

    def test_reward_page_sends_back_and_says_whom_it_told(
        self, reward, client_as, county_admin, leader
    ):
        services.confirm_reward(county_admin, reward)
        page = client_as(leader).get("/objectives/rewards/").content.decode()
        assert f"/objectives/rewards/{reward.pk}/return/" in page and "退回" in page
        response = client_as(leader).post(
            f"/objectives/rewards/{reward.pk}/return/", {"reason": "材料不足"}, follow=True
        )
        messages = [str(message) for message in response.context["messages"]]
        assert messages == ["奖励已退回，已通知县妇联工作人员。"]
        assert "材料不足" in response.content.decode()


def test_confirming_without_a_leader_does_not_claim_anyone_was_told(
    running_plan, client_as, county_admin
):
    services.close_plan(county_admin, running_plan)
    reward = Reward.objects.get()
    response = client_as(county_admin).post(
        f"/objectives/rewards/{reward.pk}/confirm/", follow=True
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["奖励已确认。尚无领导可通知审批。"]


def _lock_elsewhere(model, pk):
    """Whether another session may lock the row now (it does not wait)."""
    try:
        with transaction.atomic():
            model.objects.select_for_update(nowait=True).get(pk=pk)
        return True
    except DatabaseError:
        return False
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_scoring_a_plan_locks_the_plan_alone(running_plan):
    """The night scores every county's plan of the year side by side: a plan's run must not
    hold its period (or its unit), which each of the others' runs reads the same way."""
    with transaction.atomic():
        services.score_plan(running_plan)
        with ThreadPoolExecutor(1) as pool:
            period_free = pool.submit(_lock_elsewhere, Period, running_plan.period_id).result()
            plan_free = pool.submit(_lock_elsewhere, ObjectivePlan, running_plan.pk).result()
    assert (period_free, plan_free) == (True, False)


@pytest.mark.django_db(transaction=True)
def test_an_award_holds_its_plan_until_it_commits(running_plan, county, county_admin):
    """Awards to one unit are decided one at a time: each checks the unit's cap against the
    points already awarded, which a second award side by side would not see yet."""
    item = claim_grid_work(county_admin, running_plan, county.township_a)
    with transaction.atomic():
        services.award_innovation(county_admin, item, points=Decimal(4))
        with ThreadPoolExecutor(1) as pool:
            plan_free = pool.submit(_lock_elsewhere, ObjectivePlan, running_plan.pk).result()
    assert plan_free is False
