"""The resource panel of a case page: what the case received and the hours given to it, for
whoever may open the case (services.resources_for_case decides)."""

from django import template

from apps.coordination import services

register = template.Library()


@register.inclusion_tag("coordination/includes/case_resources.html", takes_context=True)
def case_resources(context, case):
    return {"panel": services.resources_for_case(context["request"].user, case), "case": case}
