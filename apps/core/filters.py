"""Filter pieces every app's FilterSets share."""

import django_filters
from django import forms


def id_filter(field_name, label=""):
    """Filter by the id of a related row: for the API and links, not shown as a choice list
    (a county has thousands of objectives and households)."""
    return django_filters.NumberFilter(field_name=field_name, label=label, widget=forms.HiddenInput)


def units_in_scope(request):
    """The org units the requesting user may see, for unit choice lists."""
    from apps.organizations.models import OrgUnit

    if request is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.for_user(request.user).order_by("path")
