from apps.core import navigation


def navigation_items(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = navigation.items_for(user, request.path)
    return {"nav_items": items, "nav_menu": navigation.menu_for(items)}
