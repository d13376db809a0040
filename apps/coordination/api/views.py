"""Coordination API: the directory (read by all, kept by departments) and referrals, scoped by
ReferralQuerySet.for_user; every change goes through a service; steps are POST actions."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.coordination import services
from apps.coordination.api import serializers
from apps.coordination.filters import (
    JointMeetingFilterSet,
    MeetingDecisionFilterSet,
    ReferralFilterSet,
    ServiceFilterSet,
)
from apps.coordination.models import JointMeeting, MeetingDecision, Referral, Service
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


# --- 联席会议 ---


class JointMeetingViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Joint meetings with their decisions (written together, all or nothing); county staff
    record them, leaders and member departments read them."""

    queryset = JointMeeting.objects.with_details().prefetch_related(
        Prefetch("decisions", MeetingDecision.objects.select_related("owner")), "files"
    )
    serializer_class = serializers.JointMeetingSerializer
    filterset_class = JointMeetingFilterSet
    write_roles = (Role.COUNTY_ADMIN,)
    ordering_fields = ["id", "held_on", "title"]

    @extend_schema(
        request={"multipart/form-data": serializers.MeetingFilesSerializer},
        responses=serializers.JointMeetingSerializer,
    )
    @action(detail=True, methods=["post"])
    def files(self, request, pk=None):
        meeting = self.get_object()
        body = validated(serializers.MeetingFilesSerializer, request)
        services.add_minute_files(request.user, meeting, **body)
        return Response(self.get_serializer(self.get_object()).data)


class MeetingDecisionViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Decisions on their own: what a department liaison owns, with ``done`` to mark one."""

    queryset = MeetingDecision.objects.with_details()
    serializer_class = serializers.MeetingDecisionSerializer
    filterset_class = MeetingDecisionFilterSet
    write_roles = (Role.DEPT_LIAISON,)
    ordering_fields = ["id", "deadline", "state"]

    @extend_schema(request=serializers.DecisionDoneSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        decision = self.get_object()
        body = validated(serializers.DecisionDoneSerializer, request)
        decision = services.complete_decision(request.user, decision, **body)
        return Response(self.get_serializer(decision).data)
