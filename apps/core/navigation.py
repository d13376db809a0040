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
    section: str | None = None  # entries of one module share a dropdown in the navbar
    # Roles whose home page shows this entry in place of the link tiles (a leader's dashboard).
    featured_for: frozenset = field(default_factory=frozenset)

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
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "icon": item.icon,
            "section": item.section,
            "active": False,
            "featured": bool(item.featured_for) and user.has_role(*item.featured_for),
        }
        for item in _registry
        if item.visible_to(user)
    ]
    matches = [entry for entry in entries if _is_under(current_path, entry["url"])]
    if matches:
        max(matches, key=lambda entry: len(entry["url"]))["active"] = True
    return entries


def menu_for(entries):
    """The navbar: entries without a section stand alone; a section with one visible entry
    shows that entry, with several a dropdown."""
    menu, sections = [], {}
    for entry in entries:
        section = entry["section"]
        if section is None:
            menu.append(entry)
        elif section in sections:
            sections[section]["children"].append(entry)
            sections[section]["active"] |= entry["active"]
        else:
            sections[section] = {
                "label": section,
                "icon": entry["icon"],
                "children": [entry],
                "active": entry["active"],
            }
            menu.append(sections[section])
    return [
        item["children"][0] if len(item.get("children", [None, None])) == 1 else item
        for item in menu
    ]


def _is_under(path, url):
    # Every path starts with "/", so the home entry only matches itself.
    return path == url or (url != "/" and path.startswith(url))
