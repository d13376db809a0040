"""Sorting for every API list."""

from django.core.exceptions import FieldDoesNotExist
from rest_framework.filters import OrderingFilter


def is_column(model, path):
    """Whether ``path`` (``contact__name``) leads through relations to a stored field."""
    *relations, last = path.split("__")
    try:
        for name in relations:
            model = model._meta.get_field(name).related_model
            if model is None:
                return False
        return last == "pk" or model._meta.get_field(last).concrete
    except FieldDoesNotExist:
        return False


class StoredFieldOrderingFilter(OrderingFilter):
    """By default DRF offers to sort by every serializer field, including computed ones such
    as a household's masked name or a light, which SQL cannot sort by (a 500). Only fields
    stored in the database are offered; viewsets that name ``ordering_fields`` keep them."""

    def get_default_valid_fields(self, queryset, view, context=None):
        fields = super().get_default_valid_fields(queryset, view, context)
        return [(name, label) for name, label in fields if is_column(queryset.model, name)]
