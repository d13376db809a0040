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


class PathwayQuerySet(ScopedQuerySet):
    """The domestic-violence pathway's records (告诫书, 查访, 保护令, 强制报告): open to exactly
    those who may open their sensitive case under liaison's rule (``cases_for``): her
    representative, the staff it was escalated to, county federation staff. Never leaders,
    department liaisons or another representative of the same village."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from apps.liaison.services import cases_for

        return self.filter(case__in=cases_for(user).values("pk"))

    def handled_by(self, user):
        """Records of the cases ``user`` handles now: her own as their representative, or
        those escalated to one of her units as staff (what her to-do list carries)."""
        staff_units = [
            m.unit_id
            for m in user.active_memberships
            if m.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
        ]
        return self.for_user(user).filter(
            Q(case__representative__user=user) | Q(case__escalated_to__in=staff_units)
        )


class IncomingReferralQuerySet(ScopedQuerySet):
    """Referrals from departments to the federation (部门转来): county federation staff see all
    in their area; township staff those addressed to their township; a department liaison
    those her department sent (their state, never the case they became); representatives and
    leaders none (leaders count them with ``in_area``)."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = []
        for membership in user.active_memberships:
            path = membership.unit.path
            if membership.role == Role.COUNTY_ADMIN:
                allowed.append(
                    Q(unit__path__startswith=path) | Q(department__path__startswith=path)
                )
            elif membership.role == Role.TOWNSHIP_STAFF:
                allowed.append(Q(unit=membership.unit_id))
            elif membership.role == Role.DEPT_LIAISON:
                allowed.append(Q(department=membership.unit_id))
        if not allowed:
            return self.none()
        return self.filter(reduce(or_, allowed))

    def with_details(self):
        return self.select_related("department", "unit", "village", "handled_by")

    def waiting(self):
        return self.filter(state="sent")

    def addressed_to(self, user):
        """Referrals to the units whose staff ``user`` is: the county federation for county
        staff, her township for a township staffer (the receiving side's to-do list)."""
        units = [
            m.unit_id
            for m in user.active_memberships
            if m.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)
        ]
        return self.filter(unit__in=units)


# --- the resource ledger ----------------------------------------------------------------------

# Who reads the ledger of the units in their area: federation staff keep it, leaders read its
# totals and balances. Representatives and department liaisons reach it only through a case
# they may open (resources_for_case) or the hours given through their services.
LEDGER_READERS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.LEADER)


def _ledger_area(user, lookup):
    return [
        Q(**{f"{lookup}__path__startswith": m.unit.path})
        for m in user.active_memberships
        if m.role in LEDGER_READERS
    ]


def _case_visible(user):
    """True on rows whose case ``user`` may open (liaison's rule), annotated in the same query
    so a list shows "case hidden" without a query per row."""
    from django.db.models import BooleanField, ExpressionWrapper

    from apps.liaison.services import cases_for

    if user.is_superuser:
        condition = Q(case__isnull=False)
    else:
        condition = Q(case__isnull=False, case__in=cases_for(user).values("pk"))
    return ExpressionWrapper(condition, output_field=BooleanField())


class ResourceSourceQuerySet(ScopedQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        allowed = _ledger_area(user, "unit")
        return self.filter(reduce(or_, allowed)) if allowed else self.none()

    def with_details(self):
        return self.select_related("unit")


class ResourceEntryQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Lines of the sources ``user`` may read, each with ``case_visible``: the case (and
        so the woman) only for those who may open it; the others read the village."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            rows = self.all()
        else:
            allowed = _ledger_area(user, "source__unit")
            if not allowed:
                return self.none()
            rows = self.filter(reduce(or_, allowed))
        return rows.annotate(case_visible=_case_visible(user))

    def with_details(self):
        return self.select_related("source", "village", "reverses", "reversed_by")


class ResourceHoursQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Hours in the area of ledger readers; on the cases she may open for a representative
        (and township staff, whatever the area); given through her department's services for
        a department liaison. ``case_visible`` as for ledger lines."""
        from apps.liaison.services import cases_for

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all().annotate(case_visible=_case_visible(user))
        allowed = _ledger_area(user, "unit")
        departments = [m.unit_id for m in user.active_memberships if m.role == Role.DEPT_LIAISON]
        if departments:
            allowed.append(Q(service__department__in=departments))
        if user.has_role(Role.VILLAGE_REP):
            allowed.append(Q(case__in=cases_for(user).values("pk")))
        if not allowed:
            return self.none()
        return self.filter(reduce(or_, allowed)).annotate(case_visible=_case_visible(user))

    def with_details(self):
        return self.select_related("unit", "service__department")


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
