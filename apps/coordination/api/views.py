"""Coordination API: the directory (read by all, kept by departments) and referrals, scoped by
ReferralQuerySet.for_user; every change goes through a service; steps are POST actions."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.coordination import services
from apps.coordination.api import serializers
from apps.coordination.filters import (
    ReferralFilterSet,
    ResourceEntryFilterSet,
    ResourceHoursFilterSet,
    ResourceSourceFilterSet,
    ServiceFilterSet,
)
from apps.coordination.models import (
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
)
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


# --- the resource ledger ----------------------------------------------------------------------

LEDGER_KEEPERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


class ResourceSourceViewSet(
    ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Sources of funds and materials with their balances. Lines are written only by the
    actions (``receive``, ``allocate``, ``reverse``) and never edited or deleted; read them at
    ``resource-entries``."""

    queryset = ResourceSource.objects.with_details()
    serializer_class = serializers.ResourceSourceSerializer
    filterset_class = ResourceSourceFilterSet
    write_roles = LEDGER_KEEPERS
    ordering_fields = ["id", "received_on", "balance", "name"]

    def _post(self, request, service, body):
        source = self.get_object()
        entry = service(request.user, source, **validated(body, request))
        entry = ResourceEntry.objects.for_user(request.user).with_details().get(pk=entry.pk)
        return Response(serializers.ResourceEntrySerializer(entry).data, status=201)

    @extend_schema(
        request=serializers.ResourceReceiptSerializer,
        responses={201: serializers.ResourceEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self._post(request, services.receive_resource, serializers.ResourceReceiptSerializer)

    @extend_schema(
        request=serializers.ResourceAllocationSerializer,
        responses={201: serializers.ResourceEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        return self._post(
            request, services.allocate_resource, serializers.ResourceAllocationSerializer
        )

    @extend_schema(
        request=serializers.ResourceReversalSerializer,
        responses={201: serializers.ResourceEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        source = self.get_object()
        body = validated(serializers.ResourceReversalSerializer, request)
        entry = ResourceEntry.objects.filter(source=source, pk=body["entry"]).first()
        entry = services.reverse_entry(
            request.user, source, entry=entry, reason=body.get("reason", "")
        )
        entry = ResourceEntry.objects.for_user(request.user).with_details().get(pk=entry.pk)
        return Response(serializers.ResourceEntrySerializer(entry).data, status=201)


class ResourceEntryViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The ledger lines of the sources the caller may read, case lines as she may see them."""

    queryset = ResourceEntry.objects.with_details()
    serializer_class = serializers.ResourceEntrySerializer
    filterset_class = ResourceEntryFilterSet
    ordering_fields = ["id", "entry_date", "amount"]


class ResourceHoursViewSet(
    ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Hours given to cases; logged by whoever handles the case, never edited or deleted (a
    correction is ``reverse`` with a reason).
    ``totals/?by=case|person_kind|month`` sums the hours the caller may read."""

    queryset = ResourceHours.objects.with_details()
    serializer_class = serializers.ResourceHoursSerializer
    filterset_class = ResourceHoursFilterSet
    write_roles = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP)
    ordering_fields = ["id", "worked_on", "hours"]

    @extend_schema(
        request=serializers.HoursReversalSerializer,
        responses={201: serializers.ResourceHoursSerializer},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        row = self.get_object()
        body = validated(serializers.HoursReversalSerializer, request)
        row = services.reverse_hours(request.user, row, reason=body.get("reason", ""))
        row = ResourceHours.objects.for_user(request.user).with_details().get(pk=row.pk)
        return Response(self.get_serializer(row).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=["case", "person_kind", "month"], required=True)
        ],
        responses=serializers.HoursTotalSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def totals(self, request):
        rows = services.hours_totals(request.user, by=request.query_params.get("by", ""))
        return Response(serializers.HoursTotalSerializer(rows, many=True).data)
