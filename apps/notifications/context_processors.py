from django.utils.functional import SimpleLazyObject

from apps.notifications.models import Notification


def unread_notifications(request):
    """The unread count in the navbar: at most one COUNT per page, only if the page shows it
    (the template reads it twice when there is something unread)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notification_count": SimpleLazyObject(
            lambda: Notification.objects.for_user(user).unread().count()
        )
    }
