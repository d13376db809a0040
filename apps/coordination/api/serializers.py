from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.coordination import services
from apps.coordination.forms import NO_CASE_TEXT
from apps.coordination.models import (
    FollowUpVisit,
    IncomingReferral,
    JointMeeting,
    MandatoryReport,
    MeetingDecision,
    MeetingFile,
    ProtectionOrder,
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
    WarningLetter,
)
from apps.core.api.serializers import (
    DeadlineLightMixin,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from apps.core.models import SHORT_TEXT
from apps.liaison import services as liaison
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
            "provides_shelter",
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


# --- the domestic-violence pathway -------------------------------------------------------------
# ``case`` resolves through Case.objects.for_user: a case the caller may not open does not exist.


class PathwayRecordSerializer(ScopedModelSerializer):
    def create(self, validated_data):
        user = self.context["request"].user
        case = validated_data.pop("case")
        return self.service(user, case, **validated_data)


class WarningLetterSerializer(PathwayRecordSerializer):
    service = staticmethod(services.record_warning_letter)
    follow_up_visit = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WarningLetter
        fields = [
            "id",
            "case",
            "issued_on",
            "issued_by",
            "number",
            "note",
            "follow_up_visit",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["recorded_by", "created_at"]
        extra_kwargs = {"issued_by": {"allow_blank": True}}


class FollowUpVisitSerializer(DeadlineLightMixin, ScopedModelSerializer):
    deadline_kind = "follow-up-visit"

    class Meta:
        model = FollowUpVisit
        fields = [
            "id",
            "case",
            "warning_letter",
            "due",
            "light",
            "light_reason",
            "done_at",
            "done_by",
            "note",
            "visit",
        ]
        read_only_fields = fields


class FollowUpVisitDoneSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)
    visit = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ProtectionOrderSerializer(DeadlineLightMixin, PathwayRecordSerializer):
    deadline_kind = "protection-order"
    service = staticmethod(services.apply_protection_order)

    class Meta:
        model = ProtectionOrder
        fields = [
            "id",
            "case",
            "applied_at",
            "court",
            "urgent",
            "decide_due",
            "light",
            "light_reason",
            "outcome",
            "decided_at",
            "note",
            "recorded_by",
        ]
        read_only_fields = ["decide_due", "outcome", "decided_at", "recorded_by"]
        extra_kwargs = {"court": {"allow_blank": True}}


class ProtectionOrderDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ProtectionOrder.Outcome.GRANTED, ProtectionOrder.Outcome.REFUSED],
        required=False,
        allow_blank=True,
    )
    decided_at = serializers.DateTimeField()
    note = serializers.CharField(max_length=SHORT_TEXT, required=False, allow_blank=True)


class MandatoryReportSerializer(PathwayRecordSerializer):
    service = staticmethod(services.flag_mandatory_report)
    reason = serializers.ChoiceField(
        choices=MandatoryReport.Reason.choices, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = MandatoryReport
        fields = [
            "id",
            "case",
            "reason",
            "note",
            "recorded_by",
            "created_at",
            "reported_to",
            "reported_at",
            "reported_by",
        ]
        read_only_fields = [
            "recorded_by",
            "created_at",
            "reported_to",
            "reported_at",
            "reported_by",
        ]
        # One per case is the service's rule, with its own message.
        extra_kwargs = {"case": {"validators": []}}


class MandatoryReportSentSerializer(serializers.Serializer):
    reported_to = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reported_at = serializers.DateTimeField()


@extend_schema_field(OpenApiTypes.INT)
class ChosenFrom(ScopedPrimaryKeyRelatedField):
    """An id looked up among the rows ``choices(user)`` offers the caller (a service's rule,
    where the caller's own area is not the rule: a department addresses the federation above
    it); one not among them is refused with ``message``, plainly."""

    def __init__(self, choices, message, **kwargs):
        self.choices_for = choices
        kwargs.setdefault("error_messages", {})["does_not_exist"] = message
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return OrgUnit.objects.none()
        return self.choices_for(request.user)


class IncomingReferralSerializer(DeadlineLightMixin, ScopedModelSerializer):
    """A department's referral to the federation. Org units are the public organisation chart,
    so the ids are looked up among all units of their kind and the service says plainly what
    is wrong with them (another department, a unit outside the county). Her name and phone
    are read in full only on the detail (logged); lists mask them, and the phone stays masked
    for everyone but the receiving staff. The case it became is never in it."""

    deadline_kind = "incoming-referral"
    department = ChosenFrom(
        services.own_departments,
        _("You may refer only on behalf of your own department."),
        label=_("referring department"),
    )
    unit = ChosenFrom(
        services.addressable_units,
        _("Choose the county federation or one of its township federations."),
        label=_("federation unit"),
    )
    village = ChosenFrom(
        services.addressable_villages,
        _("Choose a village of the federation unit she is referred to."),
        label=_("her village"),
        required=False,
        allow_null=True,
    )
    number = serializers.CharField(read_only=True, label=_("number"))
    department_name = serializers.CharField(source="department.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    consent = serializers.BooleanField(label=_("consent"), write_only=True)
    consent_method = serializers.ChoiceField(
        choices=Referral.ConsentMethod.choices, required=False, allow_blank=True, default=""
    )
    accepted_by = serializers.SerializerMethodField()

    class Meta:
        model = IncomingReferral
        fields = [
            "id",
            "number",
            "department",
            "department_name",
            "unit",
            "unit_name",
            "category",
            "need",
            "is_sensitive",
            "name",
            "phone",
            "village",
            "consent",
            "consent_method",
            "consent_recorded_at",
            "note",
            "state",
            "light",
            "light_reason",
            "sent_at",
            "accept_due",
            "accepted_at",
            "accepted_by",
            "declined_at",
            "reason",
        ]
        read_only_fields = [
            "number",
            "consent_recorded_at",
            "state",
            "sent_at",
            "accept_due",
            "accepted_at",
            "declined_at",
            "reason",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_accepted_by(self, referral):
        user = referral.handled_by if referral.accepted_at else None
        return (user.full_name or user.username) if user else None

    def to_representation(self, referral):
        data = super().to_representation(referral)
        viewer = self.context["request"].user
        if not self.context.get("details"):
            data["name"] = referral.masked_name
        if not (self.context.get("details") and services.may_read_contact(viewer, referral)):
            data["phone"] = referral.masked_phone
        return data

    def create(self, validated_data):
        return services.refer_to_federation(self.context["request"].user, **validated_data)


class IncomingAcceptSerializer(serializers.Serializer):
    village = ChosenFrom(
        services.receiving_villages,
        _("Choose a village of your own area."),
        label=_("her village"),
    )
    representative = ChosenFrom(
        lambda user: liaison.representatives_in(services.receiving_villages(user)),
        _("Choose a representative of that village."),
        label=_("representative"),
    )


# --- the resource ledger ----------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class CaseField(serializers.Field):
    """A case by its id, looked up among the cases the caller may open (liaison's rule): any
    other id is "not found", like every door. Reads back as the id."""

    default_error_messages = {"not_found": _("No such case.")}

    def to_internal_value(self, data):
        from apps.liaison.services import cases_for

        if not str(data).isdigit():
            self.fail("not_found")
        case = cases_for(self.context["request"].user).filter(pk=int(data)).first()
        if case is None:
            self.fail("not_found")
        return case

    def get_attribute(self, instance):
        return instance.case_id  # the id alone: no query per row

    def to_representation(self, value):
        return value


class ResourceSourceSerializer(ScopedModelSerializer):
    """A source with what it received and its balance; created with its first receipt
    (``amount``). Its lines are ``resource-entries``; it changes only by the actions."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, write_only=True, label=_("amount")
    )

    class Meta:
        model = ResourceSource
        fields = [
            "id",
            "unit",
            "unit_name",
            "kind",
            "name",
            "donor",
            "budget_line",
            "measure",
            "received_on",
            "amount",
            "received",
            "balance",
            "note",
            "created_at",
        ]
        read_only_fields = ["received", "balance", "created_at"]

    def create(self, validated_data):
        return services.add_source(self.context["request"].user, **validated_data)


class ResourceEntrySerializer(ScopedModelSerializer):
    """One ledger line. ``case`` only for readers who may open the case (``case_hidden`` says
    a case is behind the line); the village always."""

    case = serializers.SerializerMethodField()
    case_hidden = serializers.SerializerMethodField()
    village_name = serializers.CharField(source="village.name", read_only=True, default="")

    class Meta:
        model = ResourceEntry
        fields = [
            "id",
            "source",
            "kind",
            "amount",
            "entry_date",
            "case",
            "case_hidden",
            "village",
            "village_name",
            "project",
            "donor",
            "purpose",
            "approved_by",
            "reverses",
            "reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_case(self, entry) -> int | None:
        return entry.case_id if getattr(entry, "case_visible", False) else None

    def get_case_hidden(self, entry) -> bool:
        return entry.case_id is not None and not getattr(entry, "case_visible", False)


class ResourceReceiptSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label=_("amount"))
    received_on = serializers.DateField(label=_("received on"))
    donor = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ResourceAllocationSerializer(serializers.Serializer):
    """拨付/发放 to exactly one of ``case``, ``village`` or ``project``; ``purpose`` must not
    copy the case's text."""

    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label=_("amount"))
    allocated_on = serializers.DateField(label=_("date"))
    case = CaseField(required=False, allow_null=True)
    village = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.filter(kind="village"), required=False, allow_null=True
    )
    project = serializers.CharField(max_length=100, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=200, help_text=str(NO_CASE_TEXT))
    approved_by = serializers.CharField(max_length=100)


class ResourceReversalSerializer(serializers.Serializer):
    entry = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ResourceHoursSerializer(ScopedModelSerializer):
    """Hours given to a case; ``case`` reads back only for those who may open it."""

    case = CaseField()
    case_hidden = serializers.SerializerMethodField()
    village_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ResourceHours
        fields = [
            "id",
            "case",
            "case_hidden",
            "unit",
            "village_name",
            "service",
            "person",
            "person_kind",
            "organisation",
            "worked_on",
            "hours",
            "reverses",
            "reason",
            "created_at",
        ]
        read_only_fields = ["unit", "reverses", "reason", "created_at"]

    def get_case_hidden(self, row) -> bool:
        return not getattr(row, "case_visible", False)

    def to_representation(self, row):
        data = super().to_representation(row)
        if not getattr(row, "case_visible", False):
            data["case"] = None
            data["reason"] = ""  # a reason may speak of the case
        return data

    def create(self, validated_data):
        return services.log_hours(self.context["request"].user, **validated_data)


class HoursReversalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class HoursTotalSerializer(serializers.Serializer):
    key = serializers.CharField()
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    entries = serializers.IntegerField()


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
