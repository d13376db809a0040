"""Assessment API: schemes (one document each, kept by county staff) and results (read-only,
scoped by ResultQuerySet.for_user; rounds approved and published by POST actions)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.assessment import services
from apps.assessment.api import serializers
from apps.assessment.models import AssessmentLine, AssessmentResult, AssessmentScheme, Indicator
from apps.core.api.serializers import validated
from apps.core.api.viewsets import ScopedQuerysetMixin
from apps.core.roles import Role
from apps.organizations.models import OrgUnit


class AssessmentSchemeViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    queryset = AssessmentScheme.objects.select_related("period", "unit").prefetch_related(
        "parts", "indicators"
    )
    serializer_class = serializers.AssessmentSchemeSerializer
    write_roles = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)
    ordering_fields = ["id", "title"]

    def create(self, request, *args, **kwargs):
        if not request.user.has_role(Role.COUNTY_ADMIN):
            self.permission_denied(request)
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        if not request.user.has_role(Role.COUNTY_ADMIN):
            self.permission_denied(request)
        return super().update(request, *args, **kwargs)

    @extend_schema(request=serializers.ScoreRunSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Score a round now (the nightly task does the same)."""
        body = validated(serializers.ScoreRunSerializer, request)
        written = services.run_scoring(request.user, self.get_object(), body["round"])
        return Response({"scored": written})

    @extend_schema(request=serializers.ManualScoreSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="enter-score")
    def enter_score(self, request, pk=None):
        """An assessor's (or in 自评 the unit's own) value for a hand-scored item, with its
        evidence files (multipart) when the item asks for them."""
        scheme = self.get_object()
        body = validated(serializers.ManualScoreSerializer, request)
        indicator = Indicator.objects.filter(scheme=scheme, pk=body.pop("indicator")).first()
        # An id outside the caller's area names nothing: 404, like every scoped lookup.
        body["unit"] = OrgUnit.objects.for_user(request.user).filter(pk=body["unit"]).first()
        if indicator is None or body["unit"] is None:
            raise NotFound()
        score = services.enter_score(request.user, indicator, **body)
        return Response({"id": score.pk, "value": str(score.value)})

    @extend_schema(
        request={"multipart/form-data": serializers.SurveyImportSerializer},
        responses={200: dict},
    )
    @action(detail=True, methods=["post"], url_path="import-survey")
    def import_survey(self, request, pk=None):
        """第三方测评: a survey firm's scores for a survey item, all rows or none."""
        scheme = self.get_object()
        if not services.may_run(request.user, scheme):
            self.permission_denied(request)
        body = validated(serializers.SurveyImportSerializer, request)
        indicator = Indicator.objects.filter(scheme=scheme, pk=body["indicator"]).first()
        if indicator is None:
            raise NotFound()
        count = services.import_survey(request.user, indicator, body["file"], body["round"])
        return Response({"imported": count})


class AssessmentResultViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = AssessmentResult.objects.with_details().prefetch_related(
        Prefetch("lines", AssessmentLine.objects.select_related("indicator"))
    )
    serializer_class = serializers.AssessmentResultSerializer
    filterset_fields = ["scheme", "round", "unit"]
    ordering_fields = ["id", "total", "rank"]
    write_roles = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON, Role.LEADER)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        context = self.get_serializer_context() | {"round_figures": services.round_figures(rows)}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        result = services.approve_result(request.user, self.get_object())
        return Response(self.get_serializer(self.get_object()).data | {"id": result.pk})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        services.publish_results(request.user, self.get_object())
        return Response(self.get_serializer(self.get_object()).data)
