from django.db.models import Count

from apps.core.querysets import ScopedQuerySet


class OrgUnitQuerySet(ScopedQuerySet):
    def with_child_count(self):
        return self.annotate(child_count=Count("children"))

    def of_kind(self, kind):
        return self.filter(kind=kind)


class PeriodQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(is_closed=False)
