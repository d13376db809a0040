from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import User
from apps.core.api.serializers import (
    DeadlineLightMixin,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.objectives import services
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


class ObjectivePlanSerializer(ScopedModelSerializer):
    period_name = serializers.CharField(source="period.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ObjectivePlan
        fields = [
            "id",
            "period",
            "period_name",
            "unit",
            "unit_name",
            "title",
            "status",
            "completion_cap",
            "innovation_cap",
            "late_report_deduction",
            "report_grace_days",
            "excellent_from",
            "good_from",
            "pass_from",
            "collective_awards",
            "individual_awards",
            "innovation_awards",
            "published_at",
            "closed_at",
        ]
        read_only_fields = ["status", "published_at", "closed_at"]

    def create(self, validated_data):
        return services.create_plan(self.context["request"].user, **validated_data)


MAX_RUBRIC_LEVELS = 20


class RubricLevelSerializer(serializers.Serializer):
    """One row of a milestone rubric. A row is always whole: DRF lets every nested field be
    missing on a PATCH (``partial`` reaches down), but a rubric is replaced as a whole list, so
    each row must still carry both its label and its completion."""

    label = serializers.CharField(max_length=100)
    completion = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0, max_value=1)

    def validate(self, attrs):
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class ObjectiveSerializer(DeadlineLightMixin, ScopedModelSerializer):
    """An objective with its roll-up (completion, points, light) and its direct parts."""

    deadline_kind = "objective"
    rubric = RubricLevelSerializer(many=True, required=False, max_length=MAX_RUBRIC_LEVELS)
    assignee_unit_name = serializers.CharField(source="assignee_unit.name", read_only=True)
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "plan",
            "parent",
            "depth",
            "category",
            "title",
            "description",
            "kind",
            "measure_unit",
            "baseline",
            "target",
            "direction",
            "additive",
            "rubric",
            "weight",
            "due_date",
            "report_frequency",
            "assignee_unit",
            "assignee_unit_name",
            "assignee_person",
            "published_at",
            "completion",
            "points",
            "deductions",
            "light",
            "light_reason",
            "children",
        ]
        read_only_fields = ["depth", "published_at", "completion", "points", "deductions"]

    def validate_rubric(self, levels):
        return [
            {"label": level["label"], "completion": float(level["completion"])} for level in levels
        ]

    def create(self, validated_data):
        user = self.context["request"].user
        return services.add_objective(user, validated_data.pop("plan"), **validated_data)

    def update(self, objective, validated_data):
        validated_data.pop("plan", None)
        validated_data.pop("parent", None)
        return services.update_draft_objective(
            self.context["request"].user, objective, **validated_data
        )


class RevisionPartSerializer(serializers.Serializer):
    id = ScopedPrimaryKeyRelatedField(queryset=Objective.objects.all())
    weight = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


class RevisionSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason"), max_length=SHORT_TEXT)
    weight = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    parts = RevisionPartSerializer(many=True, required=False)


class DecomposePartSerializer(serializers.Serializer):
    """One row of a decomposition: a unit below the objective's, or a person in its unit."""

    assignee_unit = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    assignee_person = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    weight = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    target = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    due_date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs.get("assignee_unit") and not attrs.get("assignee_person"):
            raise serializers.ValidationError(
                {"assignee_unit": _("Name the unit or the person this part goes to.")}
            )
        return attrs


class DecomposeSerializer(serializers.Serializer):
    parts = DecomposePartSerializer(many=True, allow_empty=False)


class EvidenceSerializer(ScopedModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "download_url"]

    def get_download_url(self, evidence) -> str:
        return evidence.get_absolute_url()


class ProgressReportSerializer(DeadlineLightMixin, ScopedModelSerializer):
    deadline_kind = "progress-report"
    evidence = EvidenceSerializer(many=True, read_only=True)
    files = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, label=_("evidence files")
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "objective",
            "cycle_end",
            "value",
            "rubric_level",
            "completion",
            "narrative",
            "status",
            "is_late",
            "light",
            "light_reason",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "evidence",
            "files",
        ]
        read_only_fields = [
            "completion",
            "status",
            "is_late",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        # One report per cycle is the service's rule: it refiles a returned report in place.
        validators = []

    def create(self, validated_data):
        return services.submit_report(
            self.context["request"].user,
            validated_data.pop("objective"),
            files=validated_data.pop("files", []),
            **validated_data,
        )


class ResubmitSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    rubric_level = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )
    narrative = serializers.CharField(max_length=LONG_TEXT)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=SHORT_TEXT
    )


class InnovationItemSerializer(ScopedModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    files = serializers.ListField(child=serializers.FileField(), write_only=True, required=False)

    class Meta:
        model = InnovationItem
        fields = [
            "id",
            "plan",
            "unit",
            "unit_name",
            "person",
            "title",
            "description",
            "claimed_points",
            "awarded_points",
            "status",
            "claimed_by",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "evidence",
            "files",
        ]
        read_only_fields = [
            "awarded_points",
            "status",
            "claimed_by",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]

    def create(self, validated_data):
        return services.claim_innovation(
            self.context["request"].user,
            validated_data.pop("plan"),
            files=validated_data.pop("files", []),
            **validated_data,
        )


class AwardSerializer(serializers.Serializer):
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=SHORT_TEXT
    )


class UnitScoreSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    # StringRelatedField, not source="person.__str__": on a unit row person is None and
    # None.__str__ is a method-wrapper DRF does not call, so its repr leaked into the field.
    person_name = serializers.StringRelatedField(source="person", allow_null=True)

    class Meta:
        model = UnitScore
        fields = [
            "id",
            "plan",
            "unit",
            "unit_name",
            "person",
            "person_name",
            "level",
            "assigned_points",
            "objective_points",
            "innovation_points",
            "deduction_points",
            "score",
            "grade",
            "rank",
            "computed_at",
            "frozen",
        ]


UNIT_SCALE = {"max_digits": 8, "decimal_places": 2, "read_only": True}


class BreakdownObjectiveSerializer(ScopedModelSerializer):
    """An objective behind a score: its weight, points and deductions in the plan's points and
    (``*_share``) as a share of the unit's 100 points."""

    weight_share = serializers.DecimalField(**UNIT_SCALE)
    points_share = serializers.DecimalField(**UNIT_SCALE)
    deduction_share = serializers.DecimalField(**UNIT_SCALE)

    class Meta:
        model = Objective
        fields = [
            "id",
            "title",
            "category",
            "weight",
            "completion",
            "points",
            "deductions",
            "weight_share",
            "points_share",
            "deduction_share",
        ]


class UnitScoreDetailSerializer(UnitScoreSerializer):
    """A score with the records behind every point."""

    objective_score = serializers.DecimalField(**UNIT_SCALE)
    deduction_score = serializers.DecimalField(**UNIT_SCALE)
    objectives = serializers.SerializerMethodField()
    innovation_items = serializers.SerializerMethodField()
    late_reports = serializers.SerializerMethodField()

    class Meta(UnitScoreSerializer.Meta):
        fields = [
            *UnitScoreSerializer.Meta.fields,
            "objective_score",
            "deduction_score",
            "objectives",
            "innovation_items",
            "late_reports",
        ]

    def _breakdown(self, score):
        if not hasattr(self, "_cached_breakdown"):
            from apps.objectives.services.scoring import breakdown

            self._cached_breakdown = breakdown(score)
        return self._cached_breakdown

    def get_objectives(self, score) -> list:
        return BreakdownObjectiveSerializer(self._breakdown(score)["objectives"], many=True).data

    def get_innovation_items(self, score) -> list:
        return [
            {"id": item.pk, "title": item.title, "awarded_points": item.awarded_points}
            for item in self._breakdown(score)["innovation_items"]
        ]

    def get_late_reports(self, score) -> list:
        return [
            {
                "id": report.pk,
                "objective": report.objective_id,
                "cycle_end": report.cycle_end,
                # Strings, as DecimalField renders: the plan's points and the unit's 100.
                "deduction": str(report.deduction_points.quantize(Decimal("0.0001"))),
                "deduction_share": str(report.deduction_share),
            }
            for report in self._breakdown(score)["late_reports"]
        ]


class RewardReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RewardSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Reward
        fields = [
            "id",
            "plan",
            "kind",
            "unit",
            "unit_name",
            "person",
            "innovation_item",
            "basis",
            "status",
            "confirmed_by",
            "approved_by",
            "published_at",
            "return_reason",
            "returned_by",
            "returned_at",
        ]
        read_only_fields = fields
