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

    def current_year(self):
        """The year period covering today, or None: the default for figures by period."""
        from django.utils import timezone

        today = timezone.localdate()
        return self.filter(kind="year", start_date__lte=today, end_date__gte=today).first()
