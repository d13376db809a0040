"""Users and their memberships: each membership gives a user one role in one org unit."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.core.querysets import ScopedQuerySet
from apps.core.roles import Role
from apps.organizations.models import OrgUnit


class UserQuerySet(ScopedQuerySet):
    def for_user(self, user):
        # A user is in scope when one of their memberships is, and everyone may see themselves.
        if not user.is_authenticated:
            return self.none()
        in_scope = super().for_user(user).values("pk")
        return self.filter(models.Q(pk__in=in_scope) | models.Q(pk=user.pk))

    def working_in(self, units, role=None):
        """Active users holding a membership (in ``role``, if given) in one of ``units``: the
        people to tell about something that happened to their unit."""
        memberships = Membership.objects.filter(unit__in=units)
        if role:
            memberships = memberships.filter(role=role)
        return self.filter(is_active=True, pk__in=memberships.values("user"))


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: county staff, a township staffer, a representative, a liaison."""

    scope_field = "memberships__unit"

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # The large-text mode of the national guidance for older users (适老化): larger type,
    # higher contrast, bigger tap targets on every page she opens, on every device.
    large_text = models.BooleanField(
        _("large text"),
        default=False,
        help_text=_("Larger type, higher contrast and bigger buttons on every page."),
    )

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    @cached_property
    def active_memberships(self):
        """Memberships with their units, loaded once per request."""
        return list(self.memberships.select_related("unit").order_by("unit__path"))

    @cached_property
    def roles(self):
        return frozenset(membership.role for membership in self.active_memberships)

    @cached_property
    def scope_paths(self):
        """Path prefixes of the subtrees this user may see (see ScopedQuerySet.for_user)."""
        return sorted({membership.unit.path for membership in self.active_memberships})

    @property
    def primary_membership(self):
        return self.active_memberships[0] if self.active_memberships else None

    def has_role(self, *roles):
        return self.is_superuser or bool(self.roles.intersection(roles))

    # A person whose contact details are shown only as apps.core.personal_data allows.
    @property
    def person_user_id(self):
        return self.pk

    @property
    def person_units(self):
        """The units of her memberships (prefetch ``memberships__unit`` for lists)."""
        return [membership.unit for membership in self.memberships.all()]


class Membership(TimeStampedModel):
    """Gives ``user`` the ``role`` in ``unit``; the unit's subtree is what the user sees."""

    # The unit kinds each role is held in. Federation staff and leaders above the county
    # (a prefecture's, a province's) hold the county roles at their own unit: scoping is by
    # path, so they see every county below them by the same rule.
    UNIT_KINDS_FOR_ROLE = {
        Role.COUNTY_ADMIN: OrgUnit.UPPER_KINDS,
        Role.LEADER: OrgUnit.UPPER_KINDS,
        Role.TOWNSHIP_STAFF: (OrgUnit.Kind.TOWNSHIP,),
        Role.VILLAGE_REP: (OrgUnit.Kind.VILLAGE,),
        Role.DEPT_LIAISON: (OrgUnit.Kind.DEPARTMENT,),
    }

    scope_field = "unit"

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="membership_unique_role_per_unit",
                violation_error_message=_("This user already has this role in this unit."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    def clean(self):
        expected_kinds = self.UNIT_KINDS_FOR_ROLE[self.role]
        if self.unit_id and self.unit.kind not in expected_kinds:
            kinds = " / ".join(str(OrgUnit.Kind(kind).label) for kind in expected_kinds)
            raise ValidationError(
                {
                    "unit": _("The role %(role)s is held in a %(kind)s.")
                    % {"role": self.get_role_display(), "kind": kinds}
                }
            )
