from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api.serializers import (
    DeadlineLightMixin,
    MaskedPhoneField,
    ModelCleanMixin,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from apps.core.models import LONG_TEXT, SHORT_TEXT
from apps.liaison import services
from apps.liaison.models import Case, Contact, FollowUp, Representative, Visit


class RepresentativeSerializer(ModelCleanMixin, ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    phone = MaskedPhoneField(label=_("mobile phone"))

    class Meta:
        model = Representative
        fields = [
            "id",
            "unit",
            "unit_name",
            "user",
            "number",
            "full_name",
            "phone",
            "sector",
            "specialties",
            "term_start",
            "term_end",
            "is_active",
        ]
        read_only_fields = ["unit", "user", "number"]


CONTACT_FIELDS = [
    "id",
    "unit",
    "representative",
    "name",
    "phone",
    "address",
    "tags",
    "risk",
    "last_visited_on",
    "light",
    "light_reason",
]


class ContactListSerializer(DeadlineLightMixin, ScopedModelSerializer):
    """Households in lists: name, phone and address masked."""

    deadline_kind = "household"

    name = serializers.CharField(source="masked_name", read_only=True)
    phone = serializers.CharField(source="masked_phone", read_only=True)
    address = serializers.CharField(source="masked_address", read_only=True)

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS


class ContactSerializer(DeadlineLightMixin, ModelCleanMixin, ScopedModelSerializer):
    """One household in full; reading it is written to the access log by the view."""

    deadline_kind = "household"

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        read_only_fields = ["unit", "last_visited_on"]

    def validate_representative(self, representative):
        user = self.context["request"].user
        if not Representative.objects.assignable_by(user).filter(pk=representative.pk).exists():
            raise serializers.ValidationError(
                _("This representative is outside your area of work.")
            )
        return representative

    def validate(self, attrs):
        if "representative" in attrs:
            attrs["unit"] = attrs["representative"].unit
        return super().validate(attrs)


class VisibleContactsField(serializers.ManyRelatedField):
    """A visit's households; on reading, only those the caller may open (attached by
    VisitQuerySet.for_user, or looked up for a visit just created)."""

    def get_attribute(self, instance):
        if hasattr(instance, "visible_contacts"):
            return instance.visible_contacts
        return Contact.objects.for_user(self.context["request"].user).filter(visits=instance)


def own_household_field():
    """A household of the caller's by its id. What she reads when it is not (the phone's queue
    shows it): e.g. it was moved to another representative after the visit was saved offline.
    The same words whether the id names someone else's household or nothing at all."""
    return ScopedPrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        error_messages={
            "does_not_exist": _(
                "This household is not one of yours (any more); choose another household."
            )
        },
    )


class NeedSerializer(serializers.Serializer):
    contact = own_household_field()
    category = serializers.ChoiceField(choices=Case.Category.choices)
    description = serializers.CharField(max_length=LONG_TEXT)


def client_id_field():
    return serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "A UUID made on the phone: uploading the same record again answers with the one "
            "stored (200), never a second record."
        ),
    )


class VisitSerializer(ScopedModelSerializer):
    client_id = client_id_field()
    needs_raised = NeedSerializer(many=True, write_only=True, required=False)
    contacts = VisibleContactsField(child_relation=own_household_field())
    needs = serializers.SerializerMethodField(
        help_text=_("The needs raised on this visit: the text of its cases you may read.")
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "unit",
            "representative",
            "visited_on",
            "mode",
            "contacts",
            "summary",
            "needs",
            "needs_raised",
            "client_id",
        ]
        read_only_fields = ["unit", "representative"]

    def get_needs(self, visit) -> str:
        """Built from the visit's cases through the cases' own rule, never stored on the visit."""
        if hasattr(visit, "visible_cases"):
            cases = visit.visible_cases
        else:
            user = self.context["request"].user
            cases = Case.objects.for_user(user).filter(visit=visit).order_by("pk")
        return "\n".join(case.description for case in cases)

    def create(self, validated_data):
        return services.log_visit(
            self.context["request"].user,
            visited_on=validated_data["visited_on"],
            mode=validated_data["mode"],
            contacts=validated_data["contacts"],
            summary=validated_data["summary"],
            needs=validated_data.get("needs_raised", []),
            client_id=validated_data.get("client_id"),
        )


class FollowUpSerializer(ScopedModelSerializer):
    author_name = serializers.StringRelatedField(source="author")

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "author",
            "author_name",
            "note",
            "state_from",
            "state_to",
            "created_at",
            "client_id",
        ]


class CaseSerializer(DeadlineLightMixin, ScopedModelSerializer):
    deadline_kind = "case"
    client_id = client_id_field()
    follow_ups = FollowUpSerializer(source="follow_up_list", many=True, read_only=True)
    contact_name = serializers.CharField(source="contact.masked_name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "unit",
            "representative",
            "contact",
            "contact_name",
            "visit",
            "category",
            "description",
            "is_sensitive",
            "state",
            "state_deadline",
            "light",
            "light_reason",
            "escalated_to",
            "opened_at",
            "respond_by",
            "first_response_at",
            "escalated_at",
            "resolved_at",
            "closed_at",
            "satisfaction",
            "follow_ups",
            "client_id",
        ]
        read_only_fields = [
            "unit",
            "representative",
            "visit",
            "is_sensitive",
            "state",
            "state_deadline",
            "escalated_to",
            "opened_at",
            "respond_by",
            "first_response_at",
            "escalated_at",
            "resolved_at",
            "closed_at",
            "satisfaction",
        ]

    def create(self, validated_data):
        return services.open_case(self.context["request"].user, **validated_data)


class CaseActionSerializer(serializers.Serializer):
    """The body of a case step: the keywords its service takes."""

    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=SHORT_TEXT
    )


class CaseFollowUpSerializer(CaseActionSerializer):
    client_id = client_id_field()


class CaseCloseSerializer(CaseActionSerializer):
    satisfaction = serializers.ChoiceField(choices=Case.Satisfaction.choices, required=False)
