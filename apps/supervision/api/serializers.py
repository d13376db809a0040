from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import User
from apps.core.api.serializers import (
    DeadlineLightMixin,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.organizations.models import OrgUnit
from apps.supervision import services
from apps.supervision.models import (
    Attachment,
    Colour,
    Inspection,
    InspectionAttachment,
    ItemFeedback,
    ItemLog,
    ItemRequest,
    ProgressDue,
    Rectification,
    Slip,
    SupervisionItem,
)


class AttachmentSerializer(ScopedModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "feedback", "original_name", "content_type", "size", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return attachment.get_absolute_url()


class ItemFeedbackSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ItemFeedback
        fields = [
            "id",
            "unit",
            "unit_name",
            "is_lead",
            "text",
            "submitted_by",
            "created_at",
            "progress",
            "approval",
            "approved_by",
            "approved_at",
            "approval_note",
        ]
        read_only_fields = fields


class ItemRequestSerializer(ScopedModelSerializer):
    class Meta:
        model = ItemRequest
        fields = [
            "id",
            "kind",
            "new_deadline",
            "reason",
            "state",
            "requested_by",
            "created_at",
            "decide_due",
            "decided_by",
            "decided_at",
            "return_reason",
        ]
        read_only_fields = fields


class ItemLogSerializer(ScopedModelSerializer):
    actor_name = serializers.CharField(source="actor.full_name", read_only=True, default="")

    class Meta:
        model = ItemLog
        fields = ["id", "at", "actor", "actor_name", "action", "automatic", "text"]
        read_only_fields = fields


class SlipSerializer(ScopedModelSerializer):
    print_url = serializers.SerializerMethodField()

    class Meta:
        model = Slip
        fields = ["id", "colour", "unit", "reason", "issued_by", "created_at", "print_url"]
        read_only_fields = fields

    def get_print_url(self, slip) -> str:
        return slip.get_absolute_url()


class ProgressDueSerializer(ScopedModelSerializer):
    """One period of recurring progress feedback with its light."""

    light = serializers.SerializerMethodField()

    class Meta:
        model = ProgressDue
        fields = ["id", "due", "fed_back_at", "light"]
        read_only_fields = fields

    def get_light(self, row) -> str:
        return str(services.progress_status(row).light)


class SupervisionItemSerializer(DeadlineLightMixin, ScopedModelSerializer):
    """A supervised item with its light, current slip, feedback, requests, slips and log.
    ``deadline`` may be left out: the rule for the source and priority sets it."""

    deadline_kind = "supervision-item"
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    deadline = serializers.DateField(label=_("deadline"), required=False, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    feedbacks = ItemFeedbackSerializer(many=True, read_only=True)
    requests = ItemRequestSerializer(many=True, read_only=True)
    slips = SlipSerializer(many=True, read_only=True)
    log = ItemLogSerializer(many=True, read_only=True)
    progress = ProgressDueSerializer(many=True, read_only=True)
    files = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, label=_("attachments")
    )

    class Meta:
        model = SupervisionItem
        fields = [
            "id",
            "title",
            "description",
            "source",
            "priority",
            "lead_unit",
            "lead_unit_name",
            "cooperating_units",
            "deadline",
            "original_deadline",
            "state",
            "light",
            "light_reason",
            "slip",
            "assigned_at",
            "accept_due",
            "accepted_at",
            "feedback_at",
            "closed_at",
            "evaluation",
            "return_count",
            "created_by",
            "meeting_decision",
            "attachments",
            "feedbacks",
            "requests",
            "slips",
            "log",
            "files",
            "progress_cycle",
            "progress_day",
            "progress",
            "commendation",
            "commended_by",
            "commended_by_name",
            "commended_on",
        ]
        # Both follow from a joint-meeting decision when the item takes one over.
        extra_kwargs = {
            "source": {"required": False},
            "lead_unit": {"required": False, "allow_null": True},
        }
        read_only_fields = [
            "original_deadline",
            "state",
            "slip",
            "assigned_at",
            "accept_due",
            "accepted_at",
            "feedback_at",
            "closed_at",
            "evaluation",
            "return_count",
            "created_by",
            "commendation",
            "commended_by",
            "commended_by_name",
            "commended_on",
        ]

    def create(self, validated_data):
        return services.assign_item(self.context["request"].user, **validated_data)


class ItemStepSerializer(serializers.Serializer):
    pass


class FeedbackSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class ItemRequestBodySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ItemRequest.Kind.choices)
    new_deadline = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


class CommendationFields(serializers.Serializer):
    """肯定性批示, recorded by a county admin for a leader (a leader user or a name)."""

    commendation = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)
    commended_by = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    commended_by_name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CloseSerializer(CommendationFields):
    evaluation = serializers.ChoiceField(choices=SupervisionItem.Evaluation.choices)


class CommendSerializer(CommendationFields):
    pass


class ProgressSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)
    period = serializers.DateField(required=False, allow_null=True)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class FeedbackApprovalSerializer(serializers.Serializer):
    """Which waiting feedback (default: the earliest)."""

    feedback = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ReturnFeedbackSerializer(FeedbackApprovalSerializer):
    reason = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


class UrgeSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


class IssueSlipSerializer(serializers.Serializer):
    colour = serializers.ChoiceField(choices=Colour.choices)
    reason = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


# --- 督查 and 整改 -------------------------------------------------------------------------------


class InspectionAttachmentSerializer(ScopedModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionAttachment
        fields = [
            "id",
            "rectification",
            "stage",
            "original_name",
            "content_type",
            "size",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return attachment.get_absolute_url()


class RectificationSerializer(DeadlineLightMixin, ScopedModelSerializer):
    """A rectification with its light; ``text``, ``owner`` and ``deadline`` are written with
    its inspection, the rest moves by the ``submit``, ``verify`` and ``return`` steps."""

    deadline_kind = "rectification"
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    owner = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), label=_("responsible unit"), required=False, allow_null=True
    )
    deadline = serializers.DateField(label=_("deadline"), required=False, allow_null=True)
    text = serializers.CharField(
        label=_("rectification"), max_length=SHORT_TEXT, required=False, allow_blank=True
    )
    attachments = InspectionAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "inspection",
            "text",
            "owner",
            "owner_name",
            "deadline",
            "state",
            "light",
            "light_reason",
            "report",
            "submitted_at",
            "submitted_by",
            "verified_at",
            "verified_by",
            "comment",
            "return_reason",
            "return_count",
            "attachments",
        ]
        read_only_fields = [
            "inspection",
            "state",
            "report",
            "submitted_at",
            "submitted_by",
            "verified_at",
            "verified_by",
            "comment",
            "return_reason",
            "return_count",
        ]


class ChecklistRowSerializer(serializers.Serializer):
    item = serializers.CharField(label=_("item checked"), max_length=200)
    finding = serializers.CharField(
        label=_("finding"), max_length=SHORT_TEXT, required=False, allow_blank=True
    )


class InspectionSerializer(ScopedModelSerializer):
    """An inspection with its checklist, findings, record files and the rectifications the
    caller may see. Created with its rectifications in one request, all or nothing."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), label=_("unit inspected"), required=False, allow_null=True
    )
    checklist = ChecklistRowSerializer(many=True, required=False, label=_("checklist"))
    rectifications = RectificationSerializer(many=True, required=False)
    attachments = InspectionAttachmentSerializer(many=True, read_only=True, source="record_files")
    files = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, label=_("attachments")
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "unit",
            "unit_name",
            "held_on",
            "team",
            "checklist",
            "findings",
            "created_by",
            "created_at",
            "attachments",
            "rectifications",
            "files",
        ]
        read_only_fields = ["created_by", "created_at"]

    def create(self, validated_data):
        validated_data["checklist"] = [dict(row) for row in validated_data.get("checklist", [])]
        validated_data["rectifications"] = [
            dict(row) for row in validated_data.get("rectifications", [])
        ]
        return services.record_inspection(self.context["request"].user, **validated_data)


class SubmitRectificationSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class VerifySerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)
    files = serializers.ListField(child=serializers.FileField(), required=False)
