from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.coordination import services
from apps.coordination.models import JointMeeting, MeetingDecision, MeetingFile, Referral, Service
from apps.core.api.serializers import (
    DeadlineLightMixin,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from apps.core.models import SHORT_TEXT
from apps.liaison.services import CaseCategory
from apps.organizations.models import OrgUnit


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


# --- 联席会议 ---


class MeetingDecisionSerializer(DeadlineLightMixin, ScopedModelSerializer):
    """A decision inside a meeting. ``owner`` and ``deadline`` may come empty here so that the
    service refuses them with its own message, the same on every door. ``id`` names a decision
    already recorded when a meeting is changed."""

    deadline_kind = "meeting_decision"
    id = serializers.IntegerField(required=False)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingDecision
        fields = [
            "id",
            "meeting",
            "text",
            "owner",
            "owner_name",
            "deadline",
            "state",
            "light",
            "light_reason",
            "done_at",
            "done_note",
            "url",
        ]
        read_only_fields = ["meeting", "state", "done_at", "done_note"]
        extra_kwargs = {
            "text": {"required": False, "allow_blank": True},
            "owner": {"required": False, "allow_null": True},
            "deadline": {"required": False, "allow_null": True},
        }

    def get_url(self, decision) -> str:
        return decision.get_absolute_url()


class MeetingFileSerializer(ScopedModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingFile
        fields = ["id", "original_name", "content_type", "size", "download_url"]

    def get_download_url(self, attachment) -> str:
        return attachment.get_absolute_url()


class JointMeetingSerializer(ScopedModelSerializer):
    """A joint meeting with its decisions, written in one request, all or nothing (through
    services.save_meeting). Minutes files are added with the ``files`` action."""

    decisions = MeetingDecisionSerializer(many=True, required=False)
    files = MeetingFileSerializer(many=True, read_only=True)
    departments = ScopedPrimaryKeyRelatedField(
        many=True, queryset=OrgUnit.objects.all(), required=False, label=_("departments present")
    )

    class Meta:
        model = JointMeeting
        fields = [
            "id",
            "title",
            "held_on",
            "place",
            "convened_by",
            "departments",
            "agenda",
            "minutes",
            "decisions",
            "files",
        ]

    def _save(self, instance, validated_data):
        decisions = validated_data.pop("decisions", None)
        if decisions is not None:
            decisions = [dict(row) for row in decisions]
        if instance is not None and "departments" not in validated_data:
            validated_data["departments"] = list(instance.departments.all())
        return services.save_meeting(
            self.context["request"].user, instance, decisions=decisions, **validated_data
        )

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class MeetingFilesSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), label=_("minutes files"))


class DecisionDoneSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)
