"""Coordination API: the directory (read by all, kept by departments) and referrals, scoped by
ReferralQuerySet.for_user; every change goes through a service; steps are POST actions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.coordination import services
from apps.coordination.api import serializers
from apps.coordination.filters import (
    FollowUpVisitFilterSet,
    IncomingReferralFilterSet,
    JointMeetingFilterSet,
    MandatoryReportFilterSet,
    MeetingDecisionFilterSet,
    PathwayFilterSet,
    ProtectionOrderFilterSet,
    ReferralFilterSet,
    ResourceEntryFilterSet,
    ResourceHoursFilterSet,
    ResourceSourceFilterSet,
    ServiceFilterSet,
)
from apps.coordination.models import (
    FollowUpVisit,
    IncomingReferral,
    JointMeeting,
    MandatoryReport,
    MeetingDecision,
    ProtectionOrder,
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
    WarningLetter,
)
from apps.core.access_log import record_access
from apps.core.api.pagination import KeysetPagination
from apps.core.api.serializers import validated
from apps.core.api.viewsets import ScopedQuerysetMixin
from apps.core.roles import Role
from apps.liaison import services as liaison
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

    # Keyset pages order by non-null columns only (complete_due is empty until accepted).
    pagination_class = KeysetPagination
    ordering_fields = ["id", "sent_at", "state", "accept_due"]

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


# --- the domestic-violence pathway -------------------------------------------------------------
# Scoped by PathwayQuerySet.for_user (those who may open the sensitive case); the services
# check that the caller handles the case.

HANDLERS = REFERRERS


class PathwayViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    write_roles = HANDLERS
    filterset_class = PathwayFilterSet
    ordering_fields = ["id", "created_at"]


class WarningLetterViewSet(PathwayViewSet):
    queryset = WarningLetter.objects.select_related("follow_up_visit")
    serializer_class = serializers.WarningLetterSerializer
    ordering_fields = ["id", "issued_on", "created_at"]


class FollowUpVisitViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = FollowUpVisit.objects.all()
    serializer_class = serializers.FollowUpVisitSerializer
    filterset_class = FollowUpVisitFilterSet
    write_roles = HANDLERS
    ordering_fields = ["id", "due", "done_at"]

    @extend_schema(request=serializers.FollowUpVisitDoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        follow_up_visit = self.get_object()
        data = validated(serializers.FollowUpVisitDoneSerializer, request)
        visit = data.pop("visit", None)
        if visit is not None:
            visit = liaison.visits_for(request.user).filter(pk=visit).first()
            if visit is None:
                raise ValidationError({"visit": _("Choose a visit to this case's household.")})
        done = services.record_follow_up_visit(request.user, follow_up_visit, visit=visit, **data)
        return Response(self.get_serializer(done).data)


class ProtectionOrderViewSet(PathwayViewSet):
    queryset = ProtectionOrder.objects.all()
    serializer_class = serializers.ProtectionOrderSerializer
    filterset_class = ProtectionOrderFilterSet
    ordering_fields = ["id", "applied_at", "decide_due"]

    @extend_schema(request=serializers.ProtectionOrderDecisionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        order = self.get_object()
        data = validated(serializers.ProtectionOrderDecisionSerializer, request)
        order = services.decide_protection_order(request.user, order, **data)
        return Response(self.get_serializer(order).data)


class MandatoryReportViewSet(PathwayViewSet):
    queryset = MandatoryReport.objects.all()
    serializer_class = serializers.MandatoryReportSerializer
    filterset_class = MandatoryReportFilterSet

    @extend_schema(request=serializers.MandatoryReportSentSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        report = self.get_object()
        data = validated(serializers.MandatoryReportSentSerializer, request)
        report = services.record_mandatory_report(request.user, report, **data)
        return Response(self.get_serializer(report).data)


class IncomingReferralViewSet(
    ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Referrals from departments to the federation (部门转来): a department liaison sends;
    the receiving federation staff accept (into a village and a representative) or decline.
    Reading one's details is logged."""

    queryset = IncomingReferral.objects.with_details()
    serializer_class = serializers.IncomingReferralSerializer
    filterset_class = IncomingReferralFilterSet
    pagination_class = KeysetPagination
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
    pagination_class = KeysetPagination
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
    pagination_class = KeysetPagination
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
