"""Coordination API: the directory (read by all, kept by departments) and referrals, scoped by
ReferralQuerySet.for_user; every change goes through a service; steps are POST actions."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.coordination import services
from apps.coordination.api import serializers
from apps.coordination.filters import ReferralFilterSet, ServiceFilterSet
from apps.coordination.models import Referral, Service
from apps.core.api.serializers import validated
from apps.core.api.viewsets import ScopedQuerysetMixin
from apps.core.roles import Role
from apps.organizations.models import Period

REFERRERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP)


class ServiceViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = Service.objects.with_details()
    serializer_class = serializers.ServiceSerializer
    filterset_class = ServiceFilterSet
    write_roles = (Role.COUNTY_ADMIN, Role.DEPT_LIAISON)
    ordering_fields = ["id", "name", "kind", "status", "verified_at"]


class ReferralViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Referral.objects.with_details()
    serializer_class = serializers.ReferralSerializer
    filterset_class = ReferralFilterSet

    @property
    def write_roles(self):
        """The case side refers; only department liaisons answer (the services check that
        it is her department, and that the referrer handles the case)."""
        if self.action in ("create", "rate"):
            return REFERRERS
        return (Role.DEPT_LIAISON,)

    ordering_fields = ["id", "sent_at", "state", "accept_due", "complete_due"]

    def _act(self, request, service, body=None):
        referral = self.get_object()
        kwargs = validated(body, request) if body else {}
        referral = service(request.user, referral, **kwargs)
        return Response(self.get_serializer(referral).data)

    @extend_schema(request=serializers.ReferralStepSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, services.accept_referral)

    @extend_schema(request=serializers.ReferralReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(request, services.decline_referral, serializers.ReferralReasonSerializer)

    @extend_schema(request=serializers.ReferralStepSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act(request, services.start_referral)

    @extend_schema(request=serializers.ReferralOutcomeSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(request, services.complete_referral, serializers.ReferralOutcomeSerializer)

    @extend_schema(request=serializers.ReferralRateSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """The referring side records her satisfaction with a completed referral."""
        return self._act(request, services.rate_referral, serializers.ReferralRateSerializer)

    @extend_schema(
        parameters=[
            OpenApiParameter("period", int, description="period id (default: this year)"),
        ],
        responses=serializers.ResponsivenessRowSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def responsiveness(self, request):
        """部门响应 per department for a period: county staff and leaders every department in
        their area (leaders without the reasons for declining), a department liaison her
        own; township staff and village representatives none (403)."""
        departments = services.responsive_departments(request.user)
        if departments is None:
            raise PermissionDenied
        period = _period(request.query_params.get("period"))
        rows = services.responsiveness(
            period, departments, with_reasons=services.shows_reasons(request.user)
        )
        return Response(serializers.ResponsivenessRowSerializer(rows, many=True).data)


def _period(period_id):
    """The period asked for, or the year covering today."""
    if period_id:
        if not str(period_id).isdigit() or int(period_id) >= 2**31:
            raise drf_serializers.ValidationError({"period": [_("There is no such period.")]})
        period = Period.objects.filter(pk=int(period_id)).first()
        if period is None:
            raise drf_serializers.ValidationError({"period": [_("There is no such period.")]})
        return period
    period = Period.objects.current_year()
    if period is None:
        raise drf_serializers.ValidationError(
            {"period": [_("No year period covers today; choose a period.")]}
        )
    return period
