"""Buttons appear only for roles the server lets through.

``{% write_url "app:view-name" arg … as url %}`` gives the page's URL when the signed-in
user's role is among that view's ``write_roles`` (the rule WriteRoleRequiredMixin and the
API enforce, through ``can_write``) and "" otherwise, so a template never repeats role
checks of its own and never shows a link that answers 403.
"""

from django import template
from django.urls import resolve, reverse

from apps.core.permissions import may_request

register = template.Library()


def may_open(user, url):
    """Whether ``user``'s role may open the page behind ``url`` (the rule the page's
    WriteRoleRequiredMixin applies)."""
    return may_request(user, "GET", getattr(resolve(url).func, "view_class", None))


@register.simple_tag(takes_context=True)
def write_url(context, viewname, *args):
    url = reverse(viewname, args=args)
    return url if may_open(context["request"].user, url) else ""
