from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.coordination import services
from apps.coordination.forms import NO_CASE_TEXT
from apps.coordination.models import (
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
)
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
