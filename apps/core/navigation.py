"""Navigation by role: each app registers its menu entries in its AppConfig.ready()."""

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset = field(default_factory=frozenset)  # empty: every signed-in user
    order: int = 100

    def visible_to(self, user):
        return not self.roles or user.has_role(*self.roles)


_registry: list[NavItem] = []


def register(*items):
    _registry.extend(items)
    _registry.sort(key=lambda item: item.order)


def items_for(user, current_path=""):
    """The entries ``user`` may see, each with its URL; the one whose URL is the longest
    prefix of the current path is marked active."""
    entries = [
        {"label": item.label, "url": reverse(item.url_name), "icon": item.icon, "active": False}
        for item in _registry
        if item.visible_to(user)
    ]
    matches = [entry for entry in entries if _is_under(current_path, entry["url"])]
    if matches:
        max(matches, key=lambda entry: len(entry["url"]))["active"] = True
    return entries


def _is_under(path, url):
    # Every path starts with "/", so the home entry only matches itself.
    return path == url or (url != "/" and path.startswith(url))
