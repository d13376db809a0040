"""The org tree (province → prefecture → county → township → village, departments under any
federation level above the township) and periods."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.organizations.querysets import OrgUnitQuerySet, PeriodQuerySet


class OrgUnit(TimeStampedModel):
    """A federation or department in the tree.

    ``path`` is the materialized path of codes from the root (``430599/430599101/``), so "this
    unit and everything under it" is one indexed prefix filter at any depth.
    """

    class Kind(models.TextChoices):
        COUNTY = "county", _("County federation")
        TOWNSHIP = "township", _("Township federation")
        VILLAGE = "village", _("Village federation")
        DEPARTMENT = "department", _("Functional department")
        PROVINCE = "province", _("Provincial federation")
        PREFECTURE = "prefecture", _("Prefecture federation")

    # Federation levels above the township: each may be a deployment's root, keeps its own
    # staff (county_admin) and leaders, and may have functional departments under it.
    UPPER_KINDS = (Kind.PROVINCE, Kind.PREFECTURE, Kind.COUNTY)

    # The kinds each kind may hang under; None in the tuple means it may also be a root.
    PARENT_KINDS = {
        Kind.PROVINCE: (None,),
        Kind.PREFECTURE: (None, Kind.PROVINCE),
        Kind.COUNTY: (None, Kind.PREFECTURE),
        Kind.TOWNSHIP: (Kind.COUNTY,),
        Kind.VILLAGE: (Kind.TOWNSHIP,),
        Kind.DEPARTMENT: UPPER_KINDS,
    }

    scope_field = ""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=512, unique=True, editable=False)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="orgunit_kind_path"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:orgunit-detail", args=[self.pk])

    @property
    def depth(self):
        return self.path.count("/") - 1

    def contains(self, other):
        """True when ``other`` is this unit or lies below it."""
        return other.path.startswith(self.path)

    @property
    def is_upper(self):
        """A federation above the township (province, prefecture or county)."""
        return self.kind in self.UPPER_KINDS

    def clean(self):
        allowed = self.PARENT_KINDS.get(self.kind, ())
        parent_kind = self.parent.kind if self.parent else None
        if self.kind and parent_kind not in allowed:
            raise ValidationError({"parent": self._parent_message(allowed)})
        if self.pk and self.parent and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A unit cannot be moved under itself.")})

    def _parent_message(self, allowed):
        """Why this parent is refused, naming the kinds that would do."""
        kinds = [self.Kind(kind).label for kind in allowed if kind]
        values = {"kind": self.get_kind_display(), "parent_kind": " / ".join(map(str, kinds))}
        if not kinds:
            return _("A %(kind)s is a root and has no parent unit.") % values
        if None in allowed:
            return _("A %(kind)s is a root or sits under a %(parent_kind)s.") % values
        return _("A %(kind)s must sit under a %(parent_kind)s.") % values

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = f"{self.parent.path if self.parent else ''}{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # A renamed code or a move rewrites every descendant's path in one statement.
            OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr(F("path"), len(old_path) + 1))
            )


class Period(TimeStampedModel):
    """An assessment period (a year, a half or a quarter); closing it freezes its scores."""

    class Kind(models.TextChoices):
        YEAR = "year", _("Year")
        HALF = "half", _("Half year")
        QUARTER = "quarter", _("Quarter")

    scope_field = None

    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-start_date", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=F("start_date")),
                name="period_ends_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": _("The end date must not be before the start date.")}
            )
