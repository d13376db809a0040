"""Coordination API: the directory (read by all, kept by departments) and referrals, scoped by
ReferralQuerySet.for_user; every change goes through a service; steps are POST actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.coordination import services
from apps.coordination.api import serializers
from apps.coordination.filters import (
    IncomingReferralFilterSet,
    ReferralFilterSet,
    ServiceFilterSet,
)
from apps.coordination.models import IncomingReferral, Referral, Service
from apps.core.access_log import record_access
from apps.core.api.serializers import validated
from apps.core.api.viewsets import ScopedQuerysetMixin
from apps.core.roles import Role

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
        if self.action == "create":
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


class IncomingReferralViewSet(
    ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Referrals from departments to the federation (部门转来): a department liaison sends;
    the receiving federation staff accept (into a village and a representative) or decline.
    Reading one's details is logged."""

    queryset = IncomingReferral.objects.with_details()
    serializer_class = serializers.IncomingReferralSerializer
    filterset_class = IncomingReferralFilterSet
    ordering_fields = ["id", "sent_at", "state", "accept_due"]

    @property
    def write_roles(self):
        if self.action == "create":
            return (Role.DEPT_LIAISON,)
        return (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)

    def get_serializer_context(self):
        # Her name and phone (as the viewer may read them) on a single referral only.
        return super().get_serializer_context() | {"details": self.action != "list"}

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        record_access(request.user, referral, request)
        return Response(self.get_serializer(referral).data)

    def _act(self, request, service, body):
        referral = service(request.user, self.get_object(), **validated(body, request))
        return Response(self.get_serializer(referral).data)

    @extend_schema(request=serializers.IncomingAcceptSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(
            request, services.accept_incoming_referral, serializers.IncomingAcceptSerializer
        )

    @extend_schema(request=serializers.ReferralReasonSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(
            request, services.decline_incoming_referral, serializers.ReferralReasonSerializer
        )
