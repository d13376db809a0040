"""Demo data: the dashboards' rollups of the demo year, built from the records the other apps'
seeders wrote (so the demo's dashboard opens with figures before the first nightly run)."""

from apps.dashboards import services
from apps.organizations.models import Period


def seed_rollups(context, log=print):
    written = services.rebuild_for_periods(Period.objects.filter(is_closed=False))
    log(f"dashboards: {written} rollup rows")
