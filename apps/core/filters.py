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


def request_user(request):
    """The user a FilterSet filters for (anonymous when it has no request)."""
    from django.contrib.auth.models import AnonymousUser

    return request.user if request is not None else AnonymousUser()


class SearchLoggingMixin:
    """For a FilterSet whose ``q`` searches parts that lists show masked (a household's name,
    phone, address): matching a guess against them reveals as much as opening the record, so
    the search method must match only rows the user may open, and this mixin writes each such
    search to the access log, with the query and the number of rows it matched."""

    @property
    def user(self):
        return request_user(self.request)

    def filter_queryset(self, queryset):
        from apps.core.access_log import record_search

        queryset = super().filter_queryset(queryset)
        query = self.form.cleaned_data.get("q")
        if query and self.user.is_authenticated:
            record_search(self.user, queryset.model, query, queryset.count(), self.request)
        return queryset
