from rest_framework import serializers

from apps.assessment import services
from apps.assessment.models import AssessmentLine, AssessmentResult, AssessmentScheme, Round
from apps.core.api.serializers import ScopedModelSerializer


class PartSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    weight = serializers.DecimalField(max_digits=8, decimal_places=2)


class IndicatorSerializer(serializers.Serializer):
    """One node of the tree; ``children`` are nodes of the same shape (checked by the
    service, which names the indicator in every message)."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    kind = serializers.ChoiceField(
        choices=["data", "checklist", "incident", "manual", "panel", "survey"],
        required=False,
        allow_blank=True,
    )
    part = serializers.CharField(max_length=100, required=False, allow_blank=True)
    source = serializers.CharField(max_length=60, required=False, allow_blank=True)
    rule = serializers.JSONField(required=False)
    evidence = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    children = serializers.ListField(child=serializers.JSONField(), required=False)


class AssessmentSchemeSerializer(ScopedModelSerializer):
    """The scheme as one document: parts, the indicator tree, result rule and vetoes, saved
    all or nothing by services.save_scheme."""

    parts = PartSerializer(many=True, required=False)
    indicators = IndicatorSerializer(many=True, source="indicator_tree")
    result_rule = serializers.JSONField(required=False)
    vetoes = serializers.JSONField(required=False)

    class Meta:
        model = AssessmentScheme
        fields = [
            "id",
            "title",
            "period",
            "level",
            "unit",
            "base_points",
            "bonus_cap",
            "parts",
            "indicators",
            "result_rule",
            "vetoes",
        ]
        read_only_fields = ["unit"]

    def to_representation(self, instance):
        instance.indicator_tree = services.scheme_tree(instance)
        return super().to_representation(instance)

    def validate_indicators(self, value):
        # The nested children arrive as plain JSON; keep the top level plain too.
        return [dict(node) for node in self.initial_data.get("indicators", [])]

    def _save(self, validated_data, scheme=None):
        request = self.context["request"]
        validated_data["parts"] = [dict(part) for part in validated_data.get("parts", [])]
        if "indicator_tree" in validated_data:
            validated_data["indicators"] = validated_data.pop("indicator_tree")
        return services.save_scheme(request.user, scheme, **validated_data)

    def create(self, validated_data):
        return self._save(validated_data)

    def update(self, instance, validated_data):
        values = {
            "title": instance.title,
            "period": instance.period,
            "level": instance.level,
            "base_points": instance.base_points,
            "bonus_cap": instance.bonus_cap,
            "result_rule": instance.result_rule,
            "vetoes": instance.vetoes,
            "parts": [{"name": p.name, "weight": p.weight} for p in instance.parts.all()],
            "indicators": services.scheme_tree(instance),
        }
        values.update(validated_data)
        return self._save(values, instance)


class ScoreRunSerializer(serializers.Serializer):
    round = serializers.ChoiceField(choices=Round.choices)


class ManualScoreSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    unit = serializers.IntegerField(help_text="The unit scored (an org unit id).")
    round = serializers.ChoiceField(choices=Round.choices)
    value = serializers.DecimalField(max_digits=8, decimal_places=2)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    evidence = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class LineSerializer(ScopedModelSerializer):
    indicator = serializers.CharField(source="indicator.title")
    indicator_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(source="indicator.parent_id", allow_null=True)

    class Meta:
        model = AssessmentLine
        fields = [
            "indicator_id",
            "indicator",
            "parent_id",
            "max_points",
            "raw",
            "points",
            "contribution",
            "sources",
        ]


class AssessmentResultSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    rounds = serializers.SerializerMethodField()
    breakdown = LineSerializer(source="lines", many=True, read_only=True)

    class Meta:
        model = AssessmentResult
        fields = [
            "id",
            "scheme",
            "unit",
            "unit_name",
            "person",
            "round",
            "total",
            "bonus",
            "rank",
            "grade",
            "title",
            "eligible",
            "veto_reasons",
            "rounds",
            "approved_at",
            "published_at",
            "breakdown",
        ]
        read_only_fields = fields

    def get_rounds(self, result) -> dict:
        figures = self.context.get("round_figures")
        if figures is None or result.pk not in figures:
            figures = services.round_figures([result])
        return {key: str(value) for key, value in figures[result.pk].items()}


class SurveyImportSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(help_text="The survey item (an indicator id).")
    round = serializers.ChoiceField(choices=Round.choices)
    file = serializers.FileField(
        help_text="An .xlsx or .csv file: a header row naming the unit column (单位编码 or 单位) "
        "and the score column (得分), then one row per unit."
    )
