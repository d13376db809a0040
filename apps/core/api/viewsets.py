"""The base of every API viewset: scoped by ``for_user`` before anything else sees the rows."""

from rest_framework import mixins, viewsets

from apps.core.roles import Role


class ScopedQuerysetMixin:
    """Rows outside the user's scope do not exist for this viewset: they are 404, never 403.
    Viewsets declare ``queryset``; overriding ``get_queryset`` (which would skip the rule) is
    refused when the class is defined."""

    write_roles = (Role.COUNTY_ADMIN,)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: declare queryset, do not override get_queryset().")

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
