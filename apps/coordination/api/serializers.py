from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.coordination import services
from apps.coordination.models import Referral, Service
from apps.core.api.serializers import DeadlineLightMixin, ScopedModelSerializer
from apps.core.models import SHORT_TEXT
from apps.liaison.services import CaseCategory


class ServiceSerializer(ScopedModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    case_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=CaseCategory.choices),
        label=_("case categories"),
        required=False,
        max_length=20,
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "department",
            "department_name",
            "name",
            "kind",
            "description",
            "how_to_apply",
            "contact",
            "hours",
            "case_categories",
            "status",
            "accepts_sensitive",
            "verified_by",
            "verified_at",
            "complete_days",
            "complete_in_working_days",
        ]
        read_only_fields = ["verified_by", "verified_at"]

    def create(self, validated_data):
        return services.save_service(self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.save_service(self.context["request"].user, instance, **validated_data)


class ReferralSerializer(DeadlineLightMixin, ScopedModelSerializer):
    """A referral as every side reads it: only what was copied into it when it was sent (the
    category, the need and contact details she consented to share), never the case itself.
    ``case`` is the id the referring side knows; it opens nothing for a department."""

    deadline_kind = "referral"
    service_name = serializers.CharField(source="service.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    consent_method = serializers.ChoiceField(
        choices=Referral.ConsentMethod.choices, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "service",
            "service_name",
            "department",
            "department_name",
            "category",
            "need",
            "shared_contact",
            "is_sensitive",
            "consent",
            "consent_method",
            "consent_recorded_at",
            "override_reason",
            "note",
            "state",
            "light",
            "light_reason",
            "sent_at",
            "accept_due",
            "accepted_at",
            "started_at",
            "complete_due",
            "completed_at",
            "outcome",
            "declined_at",
            "reason",
            "satisfaction",
            "rated_at",
        ]
        read_only_fields = [
            "department",
            "category",
            "need",
            "shared_contact",
            "is_sensitive",
            "consent_recorded_at",
            "state",
            "sent_at",
            "accept_due",
            "accepted_at",
            "started_at",
            "complete_due",
            "completed_at",
            "outcome",
            "declined_at",
            "reason",
            "satisfaction",
            "rated_at",
        ]
        extra_kwargs = {"consent": {"required": True}}

    def create(self, validated_data):
        user = self.context["request"].user
        case = validated_data.pop("case")
        return services.refer_case(user, case, **validated_data)


class ReferralOutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


class ReferralReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


class ReferralStepSerializer(serializers.Serializer):
    pass


class ReferralRateSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Referral.Satisfaction.choices)


class ResponsivenessRowSerializer(serializers.Serializer):
    """One department's responsiveness in a period (services.responsiveness)."""

    department = serializers.IntegerField()
    department_name = serializers.CharField()
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    accepted_on_time = serializers.IntegerField()
    completed = serializers.IntegerField()
    completed_on_time = serializers.IntegerField()
    declined = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text=_("Open referrals past their deadline now."))
    median_days_to_accept = serializers.FloatField(allow_null=True)
    median_days_to_complete = serializers.FloatField(allow_null=True)
    satisfied = serializers.IntegerField()
    partly = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfaction_rate = serializers.IntegerField(
        allow_null=True, help_text=_("Satisfied or partly satisfied, per cent of those rated.")
    )
    decline_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Latest first; empty for leaders, who read counts only."),
    )
