from rest_framework import serializers

from apps.core.api.serializers import ModelCleanMixin, ScopedModelSerializer
from apps.organizations.models import OrgUnit, Period


class OrgUnitSerializer(ModelCleanMixin, ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "kind", "kind_display", "parent", "path"]
        read_only_fields = ["kind", "parent", "path"]


class PeriodSerializer(ModelCleanMixin, ScopedModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "name", "kind", "start_date", "end_date", "is_closed", "closed_at"]
        read_only_fields = ["is_closed", "closed_at"]
