"""Supervision API: items scoped by SupervisionItemQuerySet.for_user; creating one and every
step go through a service; steps are POST actions named as in DESIGN's API table."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.serializers import validated
from apps.core.api.viewsets import ScopedQuerysetMixin
from apps.core.roles import Role
from apps.supervision import services
from apps.supervision.api import serializers
from apps.supervision.filters import (
    InspectionFilterSet,
    RectificationFilterSet,
    SupervisionItemFilterSet,
)
from apps.supervision.models import Inspection, Rectification, SupervisionItem

SUPERVISORS = (Role.COUNTY_ADMIN,)
UNITS = (Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)
UNIT_ACTIONS = {
    "accept",
    "feedback",
    "request_extension",
    "progress",
    "approve_feedback",
    "return_feedback",
}


class SupervisionItemViewSet(
    ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = SupervisionItem.objects.with_history()
    serializer_class = serializers.SupervisionItemSerializer
    filterset_class = SupervisionItemFilterSet
    ordering_fields = ["id", "assigned_at", "deadline", "state"]

    @property
    def write_roles(self):
        """The lead and cooperating units' people take the unit's steps (the services check
        which unit); county federation staff assign and supervise."""
        return UNITS if self.action in UNIT_ACTIONS else SUPERVISORS

    def _act(self, request, service, body=None):
        item = self.get_object()
        kwargs = validated(body, request) if body else {}
        service(request.user, item, **kwargs)
        item = self.get_queryset().get(pk=item.pk)
        return Response(self.get_serializer(item).data)

    @extend_schema(request=serializers.ItemStepSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, services.accept_item)

    @extend_schema(request=serializers.FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        return self._act(request, services.feed_back, serializers.FeedbackSerializer)

    @extend_schema(request=serializers.ItemRequestBodySerializer)
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        return self._act(request, services.request_change, serializers.ItemRequestBodySerializer)

    @extend_schema(request=serializers.ItemStepSerializer)
    @action(detail=True, methods=["post"], url_path="approve-request")
    def approve_request(self, request, pk=None):
        return self._act(request, services.approve_request)

    @extend_schema(request=serializers.ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return-request")
    def return_request(self, request, pk=None):
        return self._act(request, services.return_request, serializers.ReasonSerializer)

    @extend_schema(request=serializers.CloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, services.close_item, serializers.CloseSerializer)

    @extend_schema(request=serializers.ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act(request, services.return_item, serializers.ReasonSerializer)

    @extend_schema(request=serializers.UrgeSerializer)
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        return self._act(request, services.urge_item, serializers.UrgeSerializer)

    @extend_schema(request=serializers.IssueSlipSerializer)
    @action(detail=True, methods=["post"], url_path="issue-slip")
    def issue_slip(self, request, pk=None):
        return self._act(request, services.issue_slip, serializers.IssueSlipSerializer)

    @extend_schema(request=serializers.ProgressSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """阶段进展反馈 for one period (``period``: its due date; default the earliest due)."""
        return self._act(request, services.feed_back_progress, serializers.ProgressSerializer)

    @extend_schema(request=serializers.FeedbackApprovalSerializer)
    @action(detail=True, methods=["post"], url_path="approve-feedback")
    def approve_feedback(self, request, pk=None):
        return self._act(request, services.approve_feedback, serializers.FeedbackApprovalSerializer)

    @extend_schema(request=serializers.ReturnFeedbackSerializer)
    @action(detail=True, methods=["post"], url_path="return-feedback")
    def return_feedback(self, request, pk=None):
        return self._act(request, services.return_feedback, serializers.ReturnFeedbackSerializer)

    @extend_schema(request=serializers.CommendSerializer)
    @action(detail=True, methods=["post"])
    def commend(self, request, pk=None):
        return self._act(request, services.commend, serializers.CommendSerializer)


# --- 督查 and 整改 -------------------------------------------------------------------------------


class InspectionViewSet(
    ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Inspections with the rectifications the caller may see; county staff record them."""

    queryset = Inspection.objects.all()
    serializer_class = serializers.InspectionSerializer
    filterset_class = InspectionFilterSet
    ordering_fields = ["id", "held_on"]
    write_roles = SUPERVISORS

    def filter_queryset(self, queryset):
        # The rectifications shown depend on who asks: prefetched through her own scope.
        return super().filter_queryset(queryset).with_rectifications(self.request.user)

    def create(self, request, *args, **kwargs):
        """Answers with the inspection as a GET would show it (record files included)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inspection = serializer.save()
        inspection = self.filter_queryset(self.get_queryset()).get(pk=inspection.pk)
        return Response(self.get_serializer(inspection).data, status=status.HTTP_201_CREATED)


class RectificationViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """整改: the owner unit ``submit``s what it did; county staff ``verify`` (销号) or
    ``return`` it."""

    queryset = Rectification.objects.with_details().prefetch_related("attachments")
    serializer_class = serializers.RectificationSerializer
    filterset_class = RectificationFilterSet
    ordering_fields = ["id", "deadline", "state"]

    @property
    def write_roles(self):
        return UNITS if self.action == "submit" else SUPERVISORS

    def _act(self, request, service, body):
        rectification = self.get_object()
        service(request.user, rectification, **validated(body, request))
        rectification = self.get_queryset().get(pk=rectification.pk)
        return Response(self.get_serializer(rectification).data)

    @extend_schema(request=serializers.SubmitRectificationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(
            request, services.submit_rectification, serializers.SubmitRectificationSerializer
        )

    @extend_schema(request=serializers.VerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(request, services.verify_rectification, serializers.VerifySerializer)

    @extend_schema(request=serializers.ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act(request, services.return_rectification, serializers.ReasonSerializer)
