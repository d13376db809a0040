from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q

from apps.core.permissions import STAFF_ROLES
from apps.core.querysets import CountyWideQuerySet, ScopedQuerySet, ancestor_paths
from apps.core.roles import Role


class ObjectivePlanQuerySet(CountyWideQuerySet):
    def for_user(self, user):
        """A plan is read by everyone in its unit's subtree: they carry its objectives."""
        return self.visible_from_below(user)


class ObjectiveQuerySet(ScopedQuerySet):
    # Children are looked for in the objective's own plan: the join ``children__isnull``
    # spells made PostgreSQL hash every objective of every plan (800k at a province) to find
    # one plan's leaves.
    def leaves(self):
        return self.filter(~Exists(self._children()))

    def parents(self):
        return self.filter(Exists(self._children()))

    def _children(self):
        return self.model.objects.filter(plan=OuterRef("plan"), parent=OuterRef("pk"))

    def with_details(self):
        return self.select_related("plan__period", "assignee_unit", "assignee_person", "parent")


class ProgressReportQuerySet(ScopedQuerySet):
    def with_details(self):
        return self.select_related(
            "objective__plan", "objective__assignee_unit", "submitted_by", "reviewed_by"
        )

    def submitted_by_others(self, user):
        """Submitted reports that ``user`` did not file: what a reviewer may decide on before
        the rule of whose reports she reviews."""
        from apps.objectives.models import ProgressReport

        return self.filter(status=ProgressReport.Status.SUBMITTED).exclude(submitted_by=user)

    def awaiting_review_by(self, user):
        """Submitted reports ``user`` may decide on, oldest first: the rule of
        services.progress.can_review (staff over the unit that handed the objective down, which
        is the parent's unit, or the plan's for a top-level objective) as one filter."""
        if not user.is_authenticated or not user.has_role(*STAFF_ROLES):
            return self.none()
        waiting = self.submitted_by_others(user)
        if not user.is_superuser:
            under = Q(objective__parent__isnull=False) & reduce(
                or_,
                (Q(objective__parent__assignee_unit__path__startswith=p) for p in user.scope_paths),
                Q(pk__in=[]),
            )
            top = Q(objective__parent__isnull=True) & reduce(
                or_,
                (Q(objective__plan__unit__path__startswith=p) for p in user.scope_paths),
                Q(pk__in=[]),
            )
            waiting = waiting.filter(under | top)
        return waiting.order_by("submitted_at", "pk")


class EvidenceQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Evidence is visible where the record it backs is."""
        from apps.objectives.models import InnovationItem, ProgressReport

        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(report__in=ProgressReport.objects.for_user(user).values("pk"))
            | Q(innovation_item__in=InnovationItem.objects.for_user(user).values("pk"))
        )


class UnitScoreQuerySet(ScopedQuerySet):
    def with_details(self):
        return self.select_related("plan__period", "unit__parent", "person")


class RewardQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Published rewards are read county-wide; proposals only by county staff and leaders."""
        from apps.objectives.models import Reward

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        published = Q(status=Reward.Status.PUBLISHED) & Q(
            plan__unit__path__in=ancestor_paths(user.scope_paths)
        )
        if user.has_role(Role.COUNTY_ADMIN, Role.LEADER):
            return self.filter(published | self.area_condition(user))
        return self.filter(published)
