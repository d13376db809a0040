"""Abstract bases every domain model builds on."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.querysets import ScopedQuerySet


class TimeStampedModel(models.Model):
    """Records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScopedModel(TimeStampedModel):
    """A row that belongs to an org unit and is only visible inside that unit's subtree."""

    scope_field = "unit"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
