"""确立目标 → 分解目标: the decomposition rules, publishing and revisions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.notifications.models import Notification
from apps.objectives import services
from apps.objectives.models import Objective, ObjectiveRevision
from tests.objectives.conftest import quantitative


def messages(error):
    return " ".join(error.value.messages)


class TestSet:
    def test_only_county_admin_opens_a_plan(self, county, township_a_staff, period):
        with pytest.raises(PermissionDenied):
            services.create_plan(township_a_staff, period=period, unit=county.county, title="x")

    def test_one_plan_per_unit_and_period(self, plan, county, county_admin, period):
        with pytest.raises(ValidationError, match="已有本周期的目标责任书"):
            services.create_plan(county_admin, period=period, unit=county.county, title="again")

    def test_zero_target_is_refused(self, plan, county, county_admin):
        with pytest.raises(ValidationError) as error:
            services.add_objective(
                county_admin, plan, **quantitative(assignee_unit=county.county, target=Decimal(0))
            )
        assert "目标值必须大于零" in messages(error)
        assert not Objective.objects.exists()

    def test_milestone_needs_a_rising_rubric(self, plan, county, county_admin):
        milestone = quantitative(
            assignee_unit=county.county,
            kind=Objective.Kind.MILESTONE,
            target=None,
            rubric=[{"label": "完成", "completion": 1}, {"label": "启动", "completion": 0.5}],
        )
        with pytest.raises(ValidationError) as error:
            services.add_objective(county_admin, plan, **milestone)
        assert "评分标准" in messages(error)

    def test_due_after_period_end_is_refused(self, plan, county, county_admin):
        with pytest.raises(ValidationError, match="考核周期结束"):
            services.add_objective(
                county_admin,
                plan,
                **quantitative(assignee_unit=county.county, due_date=date(2027, 1, 31)),
            )


class TestDecompose:
    def test_part_copies_what_the_parent_measures(self, split_training, training):
        part_a, _ = split_training
        assert (part_a.measure_unit, part_a.category, part_a.depth) == ("人次", "development", 1)

    def test_part_cannot_take_more_weight_than_left(
        self, split_training, training, county, county_admin
    ):
        with pytest.raises(ValidationError, match="可分配"):
            services.add_objective(
                county_admin,
                training.plan,
                parent=training,
                **quantitative(assignee_unit=county.village_a1, weight=Decimal(1)),
            )

    def test_part_due_after_parent_is_refused(self, training, county, county_admin):
        with pytest.raises(ValidationError) as error:
            services.add_objective(
                county_admin,
                training.plan,
                parent=training,
                **quantitative(
                    assignee_unit=county.township_a,
                    weight=Decimal(5),
                    due_date=date(2026, 12, 31),
                    target=Decimal(10),
                )
                | {"due_date": date(2027, 1, 1)},
            )
        assert "due_date" in error.value.message_dict

    def test_township_cannot_give_objectives_outside_its_scope(
        self, split_training, county, township_a_staff
    ):
        part_a, _ = split_training
        with pytest.raises(ValidationError) as error:
            services.add_objective(
                township_a_staff,
                part_a.plan,
                parent=part_a,
                **quantitative(
                    assignee_unit=county.village_b1, weight=Decimal(3), target=Decimal(90)
                ),
            )
        assert "工作范围" in messages(error)

    def test_township_cannot_decompose_another_townships_objective(
        self, split_training, county, township_a_staff
    ):
        _, part_b = split_training
        with pytest.raises(PermissionDenied):
            services.add_objective(
                township_a_staff,
                part_b.plan,
                parent=part_b,
                **quantitative(assignee_unit=county.village_a1, weight=Decimal(1)),
            )

    def test_township_gives_a_personal_objective_to_its_staffer(
        self, split_training, county, township_a_staff
    ):
        part_a, _ = split_training
        personal = services.add_objective(
            township_a_staff,
            part_a.plan,
            parent=part_a,
            **quantitative(
                assignee_unit=county.township_a,
                assignee_person=township_a_staff,
                weight=Decimal(1),
                target=Decimal(30),
            ),
        )
        assert (personal.assignee_person, personal.depth) == (township_a_staff, 2)

    def test_personal_objective_needs_a_person_of_that_unit(
        self, split_training, county, township_a_staff, village_a1_rep
    ):
        part_a, _ = split_training
        with pytest.raises(ValidationError, match="不在"):
            services.add_objective(
                township_a_staff,
                part_a.plan,
                parent=part_a,
                **quantitative(
                    assignee_unit=county.township_a,
                    assignee_person=village_a1_rep,
                    weight=Decimal(1),
                    target=Decimal(10),
                ),
            )


class TestPublish:
    def test_weights_that_do_not_add_up_block_publishing(self, training, county, county_admin):
        services.add_objective(
            county_admin,
            training.plan,
            parent=training,
            **quantitative(assignee_unit=county.township_a, weight=Decimal(6), target=Decimal(300)),
        )
        with pytest.raises(ValidationError) as error:
            services.publish_plan(county_admin, training.plan)
        assert "开展巾帼技能培训" in messages(error)
        assert "权重合计为 6.00，不等于 10.00" in messages(error)
        training.plan.refresh_from_db()
        assert training.plan.is_draft

    def test_targets_short_of_the_whole_block_publishing(self, training, county, county_admin):
        for unit, target in ((county.township_a, 100), (county.township_b, 100)):
            services.add_objective(
                county_admin,
                training.plan,
                parent=training,
                **quantitative(assignee_unit=unit, weight=Decimal(5), target=Decimal(target)),
            )
        with pytest.raises(ValidationError, match="目标值合计为 200.00，少于 300.00"):
            services.publish_plan(county_admin, training.plan)

    def test_rates_are_not_summed(self, training, county, county_admin):
        training.additive = False
        training.save()
        for unit in (county.township_a, county.township_b):
            services.add_objective(
                county_admin,
                training.plan,
                parent=training,
                **quantitative(assignee_unit=unit, weight=Decimal(5), target=Decimal(300)),
            )
        services.publish_plan(county_admin, training.plan)

    def test_publishing_notifies_every_assignee(
        self, split_training, county_admin, township_a_staff, village_a1_rep
    ):
        plan = split_training[0].plan
        services.publish_plan(county_admin, plan)
        plan.refresh_from_db()
        assert plan.status == "published"
        assert Notification.objects.filter(recipient=township_a_staff).count() == 1
        assert not Notification.objects.filter(recipient=village_a1_rep).exists()
        assert not plan.objectives.filter(published_at__isnull=True).exists()

    def test_township_decomposes_and_publishes_to_its_villages(
        self, split_training, county, county_admin, township_a_staff, village_a1_rep
    ):
        part_a, _ = split_training
        services.publish_plan(county_admin, part_a.plan)
        for village, target in ((county.village_a1, 100), (county.village_a2, 80)):
            services.add_objective(
                township_a_staff,
                part_a.plan,
                parent=part_a,
                **quantitative(assignee_unit=village, weight=Decimal(3), target=Decimal(target)),
            )
        services.publish_decomposition(township_a_staff, part_a)
        assert Notification.objects.filter(recipient=village_a1_rep).count() == 1
        assert not part_a.children.filter(published_at__isnull=True).exists()


class TestRevise:
    def test_published_objective_changes_only_by_revision(self, split_training, county_admin):
        part_a, part_b = split_training
        services.publish_plan(county_admin, part_a.plan)
        with pytest.raises(ValidationError, match="修订"):
            services.update_draft_objective(county_admin, part_a, target=Decimal(200))

        services.revise_objective(
            county_admin,
            part_a.parent,
            reason="乙镇培训场地改造，调整分配",
            parts=[(part_a, Decimal(7), Decimal(200)), (part_b, Decimal(3), Decimal(100))],
        )
        part_a.refresh_from_db()
        assert (part_a.weight, part_a.target) == (Decimal(7), Decimal(200))
        revision = ObjectiveRevision.objects.get(objective=part_a)
        assert revision.changes == {"weight": ["6.00", "7"], "target": ["180.00", "200"]}
        assert revision.reason == "乙镇培训场地改造，调整分配"

    def test_revision_that_breaks_the_sums_changes_nothing(self, split_training, county_admin):
        part_a, _ = split_training
        services.publish_plan(county_admin, part_a.plan)
        with pytest.raises(ValidationError):
            services.revise_objective(county_admin, part_a, reason="多给一点", weight=Decimal(8))
        part_a.refresh_from_db()
        assert part_a.weight == Decimal(6)
        assert not ObjectiveRevision.objects.exists()

    def test_revision_needs_a_reason(self, split_training, county_admin):
        part_a, _ = split_training
        services.publish_plan(county_admin, part_a.plan)
        with pytest.raises(ValidationError, match="原因"):
            services.revise_objective(county_admin, part_a, reason=" ", target=Decimal(200))
