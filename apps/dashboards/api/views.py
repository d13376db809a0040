from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.dashboards import services
from apps.dashboards.api.serializers import DashboardSerializer


class DashboardView(APIView):
    """The leadership dashboard's data, one object per panel, for the caller's area (leaders
    and county staff: the county; township staff: their township). Village representatives and
    department liaisons have no dashboard (403); a unit outside the area is not found (404)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", int, description="period id (default: this year)"),
            OpenApiParameter("unit", int, description="org unit id (default: your area)"),
        ],
        responses=DashboardSerializer,
    )
    def get(self, request):
        user = request.user
        try:
            unit = services.resolve_unit(user, request.query_params.get("unit"))
            period = services.resolve_period(request.query_params.get("period"))
        except ValidationError as error:
            raise drf_serializers.ValidationError(error.message_dict) from error
        return Response(services.dashboard(user, period, unit))
