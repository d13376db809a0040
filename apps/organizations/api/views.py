from rest_framework import mixins

from apps.core.api.viewsets import ScopedModelViewSet, ScopedUpdateViewSet
from apps.core.roles import Role
from apps.organizations.api.serializers import OrgUnitSerializer, PeriodSerializer
from apps.organizations.filters import OrgUnitFilterSet, PeriodFilterSet
from apps.organizations.models import OrgUnit, Period


class OrgUnitViewSet(mixins.CreateModelMixin, ScopedUpdateViewSet):
    """The org tree, limited to the caller's subtrees. Federation staff add units under a unit
    of their area (the tree rules of OrgUnit.clean apply); names and codes are editable by
    county staff and, for their own township, by township staff; moves are the admin's."""

    queryset = OrgUnit.objects.all()
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
    ordering_fields = ["path", "name", "code"]
    write_roles = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


class PeriodViewSet(ScopedModelViewSet):
    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilterSet
    ordering_fields = ["start_date", "name"]
