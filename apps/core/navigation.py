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
    """The entries ``user`` may see, each with its URL and whether it is the current page."""
    entries = []
    for item in _registry:
        if not item.visible_to(user):
            continue
        url = reverse(item.url_name)
        active = current_path.startswith(url) if url != "/" else current_path == "/"
        entries.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return entries
