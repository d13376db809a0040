"""Liaison API: reads scoped by for_user (sensitive cases filtered there too); every change goes
through a service; case state changes are POST actions."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.access_log import record_access
from apps.core.api.pagination import KeysetPagination
from apps.core.api.serializers import validated
from apps.core.api.viewsets import ScopedModelViewSet, ScopedQuerysetMixin
from apps.core.roles import Role
from apps.liaison import services
from apps.liaison.api import serializers
from apps.liaison.filters import (
    CaseFilterSet,
    ContactFilterSet,
    RepresentativeFilterSet,
    VisitFilterSet,
)
from apps.liaison.models import Case, Contact, Representative, Visit
from apps.organizations.models import Period

STAFF = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
WITH_REPRESENTATIVES = (*STAFF, Role.VILLAGE_REP)


class RepresentativeViewSet(
    ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = Representative.objects.with_details()
    serializer_class = serializers.RepresentativeSerializer
    filterset_class = RepresentativeFilterSet
    write_roles = STAFF
    # Not the phone: sorting by it would reveal the digits masked for most callers.
    ordering_fields = ["id", "unit", "number", "full_name", "sector", "term_start", "term_end"]


class ContactViewSet(ScopedModelViewSet):
    queryset = Contact.objects.with_details()
    filterset_class = ContactFilterSet
    write_roles = WITH_REPRESENTATIVES
    # Households run to millions in a province: keyset pages, by village then record (never
    # by her name, which the page cursor would carry in the clear).
    pagination_class = KeysetPagination
    ordering = ["unit__path", "pk"]
    ordering_fields = ["id", "risk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return (
            serializers.ContactListSerializer
            if self.action == "list"
            else serializers.ContactSerializer
        )

    def retrieve(self, request, *args, **kwargs):
        contact = self.get_object()
        record_access(request.user, contact, request)
        return Response(self.get_serializer(contact).data)


class UploadOnceMixin(mixins.CreateModelMixin):
    """POST of a record that may come from a phone's queue with a ``client_id``: when that id
    is stored already (the phone's first upload arrived but its answer was lost) the answer is
    the stored record with 200, not a second record with 201. The rule, and the race between
    two uploads of one id, are the service's (apps.liaison.services.uploads)."""

    def create(self, request, *args, **kwargs):
        body = request.data if hasattr(request.data, "get") else {}
        model = self.queryset.model
        stored = services.stored_upload(model, request.user, body.get("client_id"))
        if stored is None:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            record = serializer.save()
            if not record.replayed:
                headers = self.get_success_headers(serializer.data)
                return Response(serializer.data, status=status.HTTP_201_CREATED, headers=headers)
            stored = record
        stored = self.get_queryset().get(pk=stored.pk)
        return Response(self.get_serializer(stored).data, status=status.HTTP_200_OK)


class VisitViewSet(ScopedQuerysetMixin, UploadOnceMixin, viewsets.ReadOnlyModelViewSet):
    # for_user attaches the visit's cases and households the caller may open.
    queryset = Visit.objects.select_related("representative")
    serializer_class = serializers.VisitSerializer
    filterset_class = VisitFilterSet
    write_roles = (Role.VILLAGE_REP,)
    pagination_class = KeysetPagination
    ordering_fields = ["id", "visited_on"]


class CaseViewSet(ScopedQuerysetMixin, UploadOnceMixin, viewsets.ReadOnlyModelViewSet):
    # The API gives related records by id: of them it reads only the household's masked name.
    # Each join more (with_details joins five tables, for the pages' names) costs the planner
    # more than reading the page's rows does.
    queryset = Case.objects.select_related("contact").with_follow_ups()
    serializer_class = serializers.CaseSerializer
    filterset_class = CaseFilterSet
    write_roles = WITH_REPRESENTATIVES
    pagination_class = KeysetPagination
    ordering_fields = ["id", "opened_at", "state", "category"]

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        if case.is_sensitive:
            record_access(request.user, case, request)
        return Response(self.get_serializer(case).data)

    def _act(self, request, service, serializer_class=serializers.CaseActionSerializer):
        """Run a case step with the validated body as its keywords; answer with the case."""
        case = self.get_object()
        service(request.user, case, **validated(serializer_class, request))
        # Read again as the service left it, follow-ups included (refresh_from_db keeps a list
        # prefetched before); by id, as the caller acted on it.
        return Response(self.get_serializer(self.queryset.get(pk=case.pk)).data)

    @extend_schema(request=serializers.CaseActionSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._act(request, services.escalate_case)

    @extend_schema(request=serializers.CaseActionSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, services.resolve_case)

    @extend_schema(request=serializers.CaseCloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, services.close_case, serializers.CaseCloseSerializer)

    @extend_schema(request=serializers.CaseFollowUpSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """A note on the case; one sent again with the same ``client_id`` is not added twice."""
        return self._act(request, services.add_follow_up, serializers.CaseFollowUpSerializer)


class CoverageRowSerializer(drf_serializers.Serializer):
    id = drf_serializers.IntegerField()
    linked = drf_serializers.IntegerField()
    visited = drf_serializers.IntegerField()
    coverage = drf_serializers.IntegerField()
    visits = drf_serializers.IntegerField()
    due = drf_serializers.DictField(child=drf_serializers.IntegerField())
    made = drf_serializers.DictField(child=drf_serializers.IntegerField())
    cases = drf_serializers.IntegerField()
    cases_on_time = drf_serializers.IntegerField()


class CoverageView(APIView):
    """广度 figures for the caller's area: by township, village or representative."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", int, description="period id (default: this year)"),
            OpenApiParameter("level", str, enum=["township", "village", "representative"]),
        ],
        responses=CoverageRowSerializer(many=True),
    )
    def get(self, request):
        level = request.query_params.get("level", "township")
        if level not in services.GROUP_KEYS:
            raise drf_serializers.ValidationError(
                {"level": [_("Choose township, village or representative.")]}
            )
        period = _period(request.query_params.get("period"))
        user = request.user
        # Counts over the whole area, including records the caller may not open.
        rows = services.coverage(
            Representative.objects.in_area(user),
            Contact.objects.in_area(user),
            Visit.objects.in_area(user),
            Case.objects.in_area(user),
            start=period.start_date,
            end=period.end_date,
            group=level,
        )
        return Response([{"id": key, **values} for key, values in sorted(rows.items())])


def _period(period_id):
    if period_id:
        try:
            return Period.objects.get(pk=int(period_id))
        except (Period.DoesNotExist, ValueError) as error:
            raise drf_serializers.ValidationError(
                {"period": [_("There is no such period.")]}
            ) from error
    period = Period.objects.current_year()
    if period is None:
        raise drf_serializers.ValidationError(
            {"period": [_("No year period covers today; choose a period.")]}
        )
    return period
