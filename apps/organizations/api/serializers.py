from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api.serializers import ModelCleanMixin, ScopedModelSerializer
from apps.organizations.models import OrgUnit, Period


class OrgUnitSerializer(ModelCleanMixin, ScopedModelSerializer):
    """A unit is added under a parent in the caller's area (a township under her county, a
    county under her prefecture); its kind and place are then fixed (moves are the admin's)."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "kind", "kind_display", "parent", "path"]
        read_only_fields = ["path"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in ("kind", "parent"):
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        # Only a superuser adds a root: anyone else's new unit lies inside her own area.
        request = self.context.get("request")
        superuser = bool(request and request.user.is_superuser)
        if self.instance is None and attrs.get("parent") is None and not superuser:
            raise serializers.ValidationError({"parent": _("Choose a parent unit in your area.")})
        return super().validate(attrs)


class PeriodSerializer(ModelCleanMixin, ScopedModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "name", "kind", "start_date", "end_date", "is_closed", "closed_at"]
        read_only_fields = ["is_closed", "closed_at"]
