"""``{% load personal_data %}`` … ``{{ person|phone_for:user }}``: a person's mobile number as
the signed-in user may read it (apps.core.personal_data), for every page that shows one."""

from django import template

from apps.core import personal_data

register = template.Library()


@register.filter
def phone_for(person, viewer):
    return personal_data.phone_for(viewer, person) or "—"
