from django import template

from apps.core import deadlines

register = template.Library()


@register.filter
def deadline_status(item, kind):
    """The deadline engine's Status of ``item`` as the registered ``kind`` judges it, e.g.
    ``{% with status=case|deadline_status:"case" %}{% include "includes/light.html" %}``."""
    return deadlines.kind(kind).status_of(item)
