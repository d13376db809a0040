"""Filter pieces every app's FilterSets share.

Every filter gets an explicit, lazily translated label: django-filter's automatic labels come
from the model's verbose names when the class is built, i.e. in whichever language was
active at import, and then never change. Choice lists open on 全部 (All), and yes/no filters
read 全部/是/否 rather than Django's 未知/是/否.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

ALL = _("All")


def id_filter(field_name, label=""):
    """Filter by the id of a related row: for the API and links, not shown as a choice list
    (a county has thousands of objectives and households)."""
    return django_filters.NumberFilter(field_name=field_name, label=label, widget=forms.HiddenInput)


class AllYesNoWidget(BooleanWidget):
    """All / Yes / No; reads true/false (and 1/0) from the query string like BooleanWidget."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("Yes")), ("false", _("No"))]


def boolean_filter(label, **kwargs):
    return django_filters.BooleanFilter(label=label, widget=AllYesNoWidget, **kwargs)


def choice_filter(label, choices, **kwargs):
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=ALL, **kwargs)


def model_choice_filter(label, queryset, **kwargs):
    """A choice of rows; ``queryset`` is a callable of the request so the list is scoped."""
    return django_filters.ModelChoiceFilter(
        label=label, queryset=queryset, empty_label=ALL, **kwargs
    )


def units_in_scope(request):
    """The org units the requesting user may see, for unit choice lists."""
    from apps.organizations.models import OrgUnit

    if request is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.for_user(request.user).order_by("path")


def parent_units_in_scope(request):
    """Units in the user's area that have sub-units: the choices for "parent unit"."""
    from apps.organizations.models import OrgUnit

    has_children = Exists(OrgUnit.objects.filter(parent=OuterRef("pk")))
    return units_in_scope(request).filter(has_children)


def unit_filter(label, **kwargs):
    return model_choice_filter(label, units_in_scope, **kwargs)


def for_user_choices(model):
    """A ``queryset`` callable for model_choice_filter: the rows of ``model`` the user sees."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.for_user(request.user)

    return queryset


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
