"""The base of every API viewset: scoped by ``for_user`` before anything else sees the rows."""

from rest_framework import mixins, viewsets

from apps.core.roles import Role


class ScopedQuerysetMixin:
    """Rows outside the user's scope do not exist for this viewset: they are 404, never 403."""

    write_roles = (Role.COUNTY_ADMIN,)

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class ScopedModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedUpdateViewSet(
    ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    pass
