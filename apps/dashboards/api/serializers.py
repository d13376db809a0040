from rest_framework import serializers


class DashboardUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class DashboardPeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class DashboardSerializer(serializers.Serializer):
    """The dashboard of one unit and period (services.dashboard): one object per panel under
    ``panels`` (assessment, objectives, supervision, cases, referrals, liaison, innovation)."""

    unit = DashboardUnitSerializer()
    period = DashboardPeriodSerializer()
    previous_period = DashboardPeriodSerializer(allow_null=True)
    breadcrumbs = serializers.ListField(child=serializers.DictField())
    children = DashboardUnitSerializer(many=True)
    panels = serializers.DictField(child=serializers.DictField())
