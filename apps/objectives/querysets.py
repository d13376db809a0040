from django.db.models import Q

from apps.core.querysets import CountyWideQuerySet, ScopedQuerySet, ancestor_paths
from apps.core.roles import Role


class ObjectivePlanQuerySet(CountyWideQuerySet):
    def for_user(self, user):
        """A plan is read by everyone in its unit's subtree: they carry its objectives."""
        return self.visible_from_below(user)


class ObjectiveQuerySet(ScopedQuerySet):
    def leaves(self):
        return self.filter(children__isnull=True)

    def with_details(self):
        return self.select_related("plan__period", "assignee_unit", "assignee_person", "parent")


class ProgressReportQuerySet(ScopedQuerySet):
    def with_details(self):
        return self.select_related(
            "objective__plan", "objective__assignee_unit", "submitted_by", "reviewed_by"
        )


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
            return self.filter(published | Q(pk__in=super().for_user(user).values("pk")))
        return self.filter(published)
