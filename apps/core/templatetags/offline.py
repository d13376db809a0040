"""``{% load offline %}`` … ``{% offline_strings as strings %}``: what static/js/offline.js
says to the village representative about her phone's queue, in her language (rendered with
``json_script``: the CSP forbids inline scripts, not JSON data)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.liaison.services import SENSITIVE_CATEGORIES

register = template.Library()


@register.simple_tag(takes_context=True)
def offline_strings(context):
    return {
        # The queue is per user: records another account left on a shared phone (its session
        # ran out, it never signed out) are neither shown nor uploaded under this one.
        "user": context["user"].pk,
        "pending": _("Waiting to upload: %(count)s"),
        "pendingSensitive": _("Sensitive cases waiting to upload: %(count)s"),
        "uploaded": _("Uploaded"),
        "waiting": _("Waiting to upload"),
        "refused": _("Not accepted"),
        "fix": _("Fix"),
        "discard": _("Discard"),
        "confirmDiscard": _("Discard this record? It will not be uploaded."),
        "visit": _("Visit"),
        "followUp": _("Follow-up"),
        "savedOnPhone": _(
            "No signal: the visit is saved on the phone and will be uploaded when the signal "
            "returns."
        ),
        "signInAgain": _("Sign in again to upload the records saved on the phone."),
        "confirmSignOut": _(
            "Records not uploaded yet: %(count)s. Signing out deletes them from this phone. "
            "Sign out anyway?"
        ),
        "sensitiveCategories": sorted(str(category) for category in SENSITIVE_CATEGORIES),
        "serviceWorker": reverse("core:service-worker"),
        "visitForm": reverse("liaison:visit-create"),
        "visitsApi": "/api/v1/visits/",
        "casesApi": "/api/v1/cases/",
    }
