"""Who may open which assessment record (DESIGN, "Who may see what").

- Schemes: county staff and leaders those in their area; everyone below reads the schemes of the
  units above them (the rules they are scored by).
- Results and their breakdown: county staff and leaders all in their area; a township's staff or
  a department's liaison the results of their own unit, and once published the ranking of the
  units scored with them; a village representative her own person results; nobody else's.
- Hand scores, their evidence files and manual vetoes: county staff in their area; a unit its
  own.
"""

from django.db.models import OuterRef, Q, Subquery
from django.db.models.lookups import IsNull

from apps.core.querysets import CountyWideQuerySet, ScopedQuerySet, ancestor_paths
from apps.core.roles import Role

OVERSEERS = (Role.COUNTY_ADMIN, Role.LEADER)


class SchemeQuerySet(CountyWideQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return (self.in_area(user) | self.visible_from_below(user)).distinct()


class SchemeRowQuerySet(ScopedQuerySet):
    """Manual scores: county staff in their area; a unit its own."""

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_role(*OVERSEERS):
            return self.in_area(user)
        return self.filter(unit__in=_own_units(user), person=None)


class EvidenceQuerySet(ScopedQuerySet):
    """Evidence files: whoever may read the score they were filed with."""

    def for_user(self, user):
        from apps.assessment.models import ManualScore

        return self.filter(score__in=ManualScore.objects.for_user(user))


class ResultQuerySet(ScopedQuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_role(*OVERSEERS):
            return self.in_area(user)
        own = Q(unit__in=_own_units(user), person=None)
        if user.has_role(Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON):
            # A published ranking (通报) is read by the units of the area it was run over; a
            # person's 履职 result stays hers and the county's.
            own |= Q(
                person=None,
                published_at__isnull=False,
                scheme__unit__path__in=ancestor_paths(user.scope_paths),
            )
        if user.has_role(Role.VILLAGE_REP):
            own |= Q(person=user, scheme__level="person")
        return self.filter(own)

    def with_details(self):
        return self.select_related("scheme", "scheme__period", "unit", "person")

    def with_round_totals(self):
        """Each result's unit (or person) total in every round, as ``round_self``,
        ``round_initial``, ``round_review`` and ``round_final`` (None before that round is
        scored): one subquery each on the result's natural key, for exports."""
        from apps.assessment.models import ROUND_ORDER, AssessmentResult

        def total(round_):
            same = AssessmentResult.objects.filter(
                Q(person=OuterRef("person")) | Q(IsNull(OuterRef("person"), True), person=None),
                scheme=OuterRef("scheme"),
                unit=OuterRef("unit"),
                round=round_,
            )
            return Subquery(same.order_by().values("total")[:1])

        return self.annotate(**{f"round_{round_}": total(round_) for round_ in ROUND_ORDER})


def _own_units(user):
    return [
        membership.unit_id
        for membership in user.active_memberships
        if membership.role in (Role.TOWNSHIP_STAFF, Role.DEPT_LIAISON)
    ]
