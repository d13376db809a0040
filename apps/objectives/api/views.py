"""Objective management API: reads are scoped by for_user; every change goes through a
service, and state changes are POST actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.serializers import validated
from apps.core.api.viewsets import ScopedQuerysetMixin
from apps.core.roles import Role
from apps.objectives import services
from apps.objectives.api import serializers
from apps.objectives.filters import (
    InnovationItemFilterSet,
    ObjectiveFilterSet,
    ObjectivePlanFilterSet,
    ProgressReportFilterSet,
    RewardFilterSet,
    UnitScoreFilterSet,
)
from apps.objectives.models import (
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
    UnitScore,
)
from apps.objectives.services.planning import DecompositionError

STAFF = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
EVERYONE_WHO_WORKS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.VILLAGE_REP, Role.DEPT_LIAISON)


class ObjectivePlanViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = ObjectivePlan.objects.select_related("period", "unit")
    serializer_class = serializers.ObjectivePlanSerializer
    filterset_class = ObjectivePlanFilterSet

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        plan = self.get_object()
        services.publish_plan(request.user, plan)
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="close-period")
    def close_period(self, request, pk=None):
        """Close this plan's period: every plan of it is scored a last time, closed and
        frozen, rewards are proposed and people told (``services.close_period``)."""
        plan = self.get_object()
        services.close_period(request.user, plan.period)
        plan.refresh_from_db()
        return Response(self.get_serializer(plan).data)


def _rows_as_list(errors, body):
    """DRF reports a list's errors keyed by row index; answer with one entry per submitted
    row (``{}`` for a good one), so a client can lay the errors beside its table."""
    errors = dict(errors)
    rows = errors.get("parts")
    if isinstance(rows, dict):
        count = len(body.get("parts") or [])
        errors["parts"] = [rows.get(index, rows.get(str(index), {})) for index in range(count)]
    return errors


class ObjectiveViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = Objective.objects.with_details().prefetch_related("children")
    serializer_class = serializers.ObjectiveSerializer
    filterset_class = ObjectiveFilterSet
    write_roles = STAFF
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish how this objective was split into parts (a township's decomposition)."""
        objective = self.get_object()
        services.publish_decomposition(request.user, objective)
        return Response(self.get_serializer(objective).data)

    @extend_schema(request=serializers.DecomposeSerializer)
    @action(detail=True, methods=["post"])
    def decompose(self, request, pk=None):
        """Write all parts of this objective from one table, all or none; each refused row
        is answered at its index in ``parts``, sums problems in ``non_field_errors``."""
        objective = self.get_object()
        serializer = serializers.DecomposeSerializer(
            data=request.data, context={"request": request}
        )
        if not serializer.is_valid():
            raise exceptions.ValidationError(_rows_as_list(serializer.errors, request.data))
        data = serializer.validated_data
        try:
            services.decompose_objective(request.user, objective, data["parts"])
        except DecompositionError as error:
            detail = {"non_field_errors": error.general} if error.general else {}
            if any(error.rows):
                detail["parts"] = error.rows
            raise exceptions.ValidationError(detail) from error
        objective.refresh_from_db()
        return Response(self.get_serializer(objective).data)

    @extend_schema(request=serializers.RevisionSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        objective = self.get_object()
        data = validated(serializers.RevisionSerializer, request)
        parts = [
            (part["id"], part.get("weight"), part.get("target")) for part in data.get("parts", [])
        ]
        services.revise_objective(
            request.user,
            objective,
            reason=data["reason"],
            weight=data.get("weight"),
            target=data.get("target"),
            parts=parts,
        )
        objective.refresh_from_db()
        return Response(self.get_serializer(objective).data)


class ProgressReportViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = ProgressReport.objects.with_details().prefetch_related("evidence")
    serializer_class = serializers.ProgressReportSerializer
    filterset_class = ProgressReportFilterSet
    write_roles = EVERYONE_WHO_WORKS

    @extend_schema(request=serializers.ResubmitSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Refile a returned report for the same cycle."""
        report = self.get_object()
        data = validated(serializers.ResubmitSerializer, request)
        report = services.submit_report(
            request.user,
            report.objective,
            cycle_end=report.cycle_end,
            files=data.pop("files", []),
            **data,
        )
        return Response(self.get_serializer(report).data)

    @extend_schema(request=serializers.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = validated(serializers.ReviewSerializer, request)
        report = services.approve_report(request.user, self.get_object(), data["comment"])
        return Response(self.get_serializer(report).data)

    @extend_schema(request=serializers.ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = validated(serializers.ReviewSerializer, request)
        report = services.return_report(request.user, self.get_object(), data["comment"])
        return Response(self.get_serializer(report).data)


class InnovationItemViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = InnovationItem.objects.select_related("unit", "plan").prefetch_related("evidence")
    serializer_class = serializers.InnovationItemSerializer
    filterset_class = InnovationItemFilterSet
    write_roles = EVERYONE_WHO_WORKS

    @extend_schema(request=serializers.AwardSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        data = validated(serializers.AwardSerializer, request)
        item = services.award_innovation(
            request.user, self.get_object(), points=data["points"], comment=data["comment"]
        )
        return Response(self.get_serializer(item).data)

    @extend_schema(request=serializers.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = validated(serializers.ReviewSerializer, request)
        item = services.reject_innovation(request.user, self.get_object(), comment=data["comment"])
        return Response(self.get_serializer(item).data)


class UnitScoreViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = UnitScore.objects.with_details()
    filterset_class = UnitScoreFilterSet
    ordering_fields = ["score", "rank"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.UnitScoreDetailSerializer
        return serializers.UnitScoreSerializer


class RewardViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Reward.objects.select_related("unit", "person", "plan")
    serializer_class = serializers.RewardSerializer
    filterset_class = RewardFilterSet
    write_roles = (Role.COUNTY_ADMIN, Role.LEADER)

    def _advance(self, request, step, *args):
        reward = self.get_object()
        step(request.user, reward, *args)  # moves ``reward`` on in place
        return Response(self.get_serializer(reward).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._advance(request, services.confirm_reward)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._advance(request, services.approve_reward)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._advance(request, services.publish_reward)

    @extend_schema(request=serializers.RewardReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """Send back with a reason: a leader returns a confirmed reward to the county staff;
        county staff reject a proposal."""
        data = validated(serializers.RewardReturnSerializer, request)
        return self._advance(request, services.return_reward, data["reason"])
