"""Who may open which supervised item (DESIGN, "Who may see what"; issue 10).

- County federation staff and leaders: every item whose lead unit lies in their area (staff
  write, leaders read).
- Township staff and department liaisons: the items their own unit leads or cooperates on
  (their unit itself, not the villages below a township).
- Village representatives: none.
"""

from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import Prefetch, Q

from apps.core.querysets import ScopedQuerySet
from apps.core.roles import Role

AREA_ROLES = (Role.COUNTY_ADMIN, Role.LEADER)
UNIT_ROLES = (Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)


def unit_ids(user):
    """The townships and departments whose supervised items ``user`` works on."""
    return {m.unit_id for m in user.active_memberships if m.role in UNIT_ROLES}


class SupervisionItemQuerySet(ScopedQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = [
            Q(lead_unit__path__startswith=m.unit.path)
            for m in user.active_memberships
            if m.role in AREA_ROLES
        ]
        units = unit_ids(user)
        if units:
            through = self.model.cooperating_units.through
            cooperating = through.objects.filter(orgunit_id__in=units).values("supervisionitem_id")
            allowed.append(Q(lead_unit__in=units) | Q(pk__in=cooperating))
        return self.filter(reduce(or_, allowed)) if allowed else self.none()

    def led_by(self, user):
        """Items led by one of ``user``'s own units (her to-do list)."""
        return self.filter(lead_unit__in=unit_ids(user))

    def open(self):
        return self.filter(state__in=self.model.OPEN_STATES)

    def with_details(self):
        return self.select_related("lead_unit", "created_by").prefetch_related("cooperating_units")

    def with_history(self):
        """Everything the item page and the API show beside the item: one query each."""
        models = apps.get_app_config("supervision")
        return self.with_details().prefetch_related(
            Prefetch(
                "feedbacks",
                queryset=models.get_model("ItemFeedback").objects.select_related(
                    "unit", "submitted_by", "approved_by", "progress"
                ),
            ),
            Prefetch(
                "requests",
                queryset=models.get_model("ItemRequest").objects.select_related(
                    "requested_by", "decided_by"
                ),
            ),
            Prefetch("log", queryset=models.get_model("ItemLog").objects.select_related("actor")),
            "attachments",
            "slips",
            "progress",
        )


class ItemPartQuerySet(ScopedQuerySet):
    """Rows that belong to an item (attachments, slips): visible with the item."""

    def for_user(self, user):
        items = self.model._meta.get_field("item").related_model.objects.for_user(user)
        return self.filter(item__in=items.values("pk"))


# --- 督查 and 整改 -------------------------------------------------------------------------------


def _area_q(user, field):
    return [
        Q(**{f"{field}__path__startswith": m.unit.path})
        for m in user.active_memberships
        if m.role in AREA_ROLES
    ]


class InspectionQuerySet(ScopedQuerySet):
    """County staff and leaders: inspections of units in their area. Township staff and
    department liaisons: the inspections of their own unit, and those where their unit owns a
    rectification. Village representatives: none."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = _area_q(user, "unit")
        units = unit_ids(user)
        if units:
            owned = apps.get_model("supervision", "Rectification").objects.filter(owner__in=units)
            allowed.append(Q(unit__in=units) | Q(pk__in=owned.values("inspection_id")))
        return self.filter(reduce(or_, allowed)) if allowed else self.none()

    def with_details(self):
        return self.select_related("unit", "created_by")

    def with_rectifications(self, user):
        """The rectifications she may see with each inspection (one query), with their owners."""
        rectifications = (
            apps.get_model("supervision", "Rectification")
            .objects.for_user(user)
            .select_related("owner", "submitted_by", "verified_by")
        )
        return self.with_details().prefetch_related(
            Prefetch("rectifications", queryset=rectifications),
            Prefetch(
                "attachments",
                queryset=apps.get_model("supervision", "InspectionAttachment").objects.filter(
                    rectification__isnull=True
                ),
                to_attr="record_files",
            ),
            "rectifications__attachments",
        )


class RectificationQuerySet(ScopedQuerySet):
    """County staff and leaders: rectifications owned by, or found at, units in their area.
    Township staff and department liaisons: those their unit owns, and those found at their
    unit. Village representatives: none."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = _area_q(user, "owner") + _area_q(user, "inspection__unit")
        units = unit_ids(user)
        if units:
            allowed.append(Q(owner__in=units) | Q(inspection__unit__in=units))
        return self.filter(reduce(or_, allowed)) if allowed else self.none()

    def open(self):
        return self.filter(state=self.model.State.OPEN)

    def owned_by(self, user):
        return self.filter(owner__in=unit_ids(user))

    def with_details(self):
        return self.select_related(
            "owner", "inspection", "inspection__unit", "submitted_by", "verified_by"
        )


class InspectionPartQuerySet(ScopedQuerySet):
    """Attachments: the inspection's record with the inspection, a rectification's evidence
    with the rectification."""

    def for_user(self, user):
        inspections = apps.get_model("supervision", "Inspection").objects.for_user(user)
        rectifications = apps.get_model("supervision", "Rectification").objects.for_user(user)
        return self.filter(
            Q(rectification__isnull=True, inspection__in=inspections.values("pk"))
            | Q(rectification__in=rectifications.values("pk"))
        )
