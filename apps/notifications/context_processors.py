from apps.notifications.models import Notification


def unread_notifications(request):
    """The unread count in the navbar: one COUNT per page, lazily."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notification_count": lambda: Notification.objects.for_user(user).unread().count()
    }
