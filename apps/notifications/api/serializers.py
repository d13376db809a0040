from apps.core.api.serializers import ScopedModelSerializer
from apps.notifications.models import Notification


class NotificationSerializer(ScopedModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields
