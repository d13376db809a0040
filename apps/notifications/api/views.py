from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.notifications import services
from apps.notifications.api.serializers import NotificationSerializer
from apps.notifications.models import Notification


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own inbox."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_fields = {"read_at": ["isnull"]}
    # Every signed-in user may mark their own messages read; for_user keeps others' out of reach.
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(self.get_queryset().filter(pk=notification.pk))
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)
