from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import Membership, User
from apps.core.api.serializers import (
    MaskedEmailField,
    MaskedPhoneField,
    ScopedModelSerializer,
)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"))
    password = serializers.CharField(label=_("password"), style={"input_type": "password"})

    def validate(self, attrs):
        # django-axes marks the plain Django request, not DRF's wrapper, when it locks an account.
        request = self.context["request"]._request
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("The username or password is wrong.")]},
                code="authorization",
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class MembershipSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "role_display", "unit", "unit_name"]


class UserSerializer(ScopedModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)
    phone = MaskedPhoneField(label=_("mobile phone"))
    email = MaskedEmailField(label=_("email address"))

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "phone", "memberships"]
        read_only_fields = ["username"]


class CurrentUserSerializer(UserSerializer):
    """The caller herself (``users/me``): her own settings too, which nobody else is shown."""

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "large_text"]
        read_only_fields = ["username", "large_text"]
