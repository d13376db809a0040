from django.db import models


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """A notification is only ever visible to its recipient."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)
