"""Who may open which coordination record (DESIGN, "Who may see what").

- The service directory is reference data: every signed-in user reads it (``scope_field`` None).
- Referrals: county federation staff see every referral in their area (from a case there or
  to a department there); a village representative and township staff those of the cases they
  may open (``Case.objects.for_user``, so sensitive cases stay as hidden as the case itself);
  a department liaison those addressed to her department, and nothing of the case beyond what
  the referral carries; leaders none (they work from counts, ``in_area``).
"""

from functools import reduce
from operator import or_

from django.db.models import Q

from apps.core.querysets import ScopedQuerySet
from apps.core.roles import Role


class ServiceQuerySet(ScopedQuerySet):
    def with_details(self):
        return self.select_related("department", "verified_by")

    def active(self):
        return self.filter(status="active")

    def kept_by(self, user):
        """The entries ``user`` may change: her own department's for a department liaison,
        every department's in her area for county federation staff."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        allowed = [
            Q(department__path__startswith=m.unit.path)
            for m in user.active_memberships
            if m.role in (Role.COUNTY_ADMIN, Role.DEPT_LIAISON)
        ]
        return self.filter(reduce(or_, allowed)) if allowed else self.none()


class ReferralQuerySet(ScopedQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = []
        case_side = False
        for membership in user.active_memberships:
            path = membership.unit.path
            if membership.role == Role.COUNTY_ADMIN:
                allowed.append(
                    Q(unit__path__startswith=path) | Q(department__path__startswith=path)
                )
            elif membership.role == Role.DEPT_LIAISON:
                allowed.append(Q(department__path__startswith=path))
            elif membership.role in (Role.VILLAGE_REP, Role.TOWNSHIP_STAFF):
                case_side = True
        if case_side:
            from apps.liaison.services import cases_for

            allowed.append(Q(case__in=cases_for(user).values("pk")))
        if not allowed:
            return self.none()
        return self.filter(reduce(or_, allowed))

    def with_details(self):
        return self.select_related("service", "department", "unit")

    def open(self):
        return self.filter(state__in=["sent", "accepted", "in_progress"])

    def addressed_to(self, user):
        """Referrals to the departments where ``user`` is the liaison."""
        units = [m.unit_id for m in user.active_memberships if m.role == Role.DEPT_LIAISON]
        return self.filter(department__in=units)


# --- 联席会议 ---
# County federation staff and leaders read a county's joint-meeting system whole (staff also
# keep it); a department liaison reads the system her department is a member of, the meetings
# of it and those she attended, and the decisions her department owns. Township staff and
# village representatives have no part in it: their lists are empty.


def _county_readers(user, field):
    """Q for the counties whose system ``user`` reads as county staff or a leader."""
    return [
        Q(**{f"{field}__path__startswith": m.unit.path})
        for m in user.active_memberships
        if m.role in (Role.COUNTY_ADMIN, Role.LEADER)
    ]


def liaison_units(user):
    return [m.unit_id for m in user.active_memberships if m.role == Role.DEPT_LIAISON]


def member_counties(units):
    """The counties whose joint-meeting system the departments ``units`` belong to now."""
    from apps.coordination.models import MemberDepartment

    return MemberDepartment.objects.filter(department__in=units, left_on__isnull=True).values(
        "county"
    )


class MeetingMembershipQuerySet(ScopedQuerySet):
    """Conveners, member departments and liaison officers: the system's roll."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        field = self.model.scope_field
        allowed = _county_readers(user, field)
        units = liaison_units(user)
        if units:
            allowed.append(Q(**{f"{field}__in": member_counties(units)}))
        return self.filter(reduce(or_, allowed)) if allowed else self.none()


class JointMeetingQuerySet(ScopedQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = _county_readers(user, "county")
        units = liaison_units(user)
        if units:
            present = self.model.departments.through.objects.filter(orgunit__in=units)
            allowed.append(
                Q(county__in=member_counties(units)) | Q(pk__in=present.values("jointmeeting_id"))
            )
        return self.filter(reduce(or_, allowed)) if allowed else self.none()

    def with_details(self):
        return self.select_related("county", "convened_by").prefetch_related("departments")

    def kept_by(self, user):
        """The meetings ``user`` may record and change: county federation staff's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        paths = [m.unit.path for m in user.active_memberships if m.role == Role.COUNTY_ADMIN]
        if not paths:
            return self.none()
        return self.filter(reduce(or_, (Q(county__path__startswith=p) for p in paths)))


class MeetingFileQuerySet(ScopedQuerySet):
    def for_user(self, user):
        from apps.coordination.models import JointMeeting

        return self.filter(meeting__in=JointMeeting.objects.for_user(user).values("pk"))


class MeetingDecisionQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Those of the meetings she may read, and those her department owns."""
        from apps.coordination.models import JointMeeting

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        visible = Q(meeting__in=JointMeeting.objects.for_user(user).values("pk"))
        units = liaison_units(user)
        return self.filter(visible | Q(owner__in=units) if units else visible)

    def with_details(self):
        return self.select_related("meeting", "owner")

    def open(self):
        return self.filter(state="open")

    def owned_by(self, user):
        """Decisions owned by the departments where ``user`` is the liaison."""
        return self.filter(owner__in=liaison_units(user))
