"""The registry of data sources an indicator of kind ``data`` (or ``incident``) reads.

A source is a function ``(period, units) -> {unit_id: Figure}`` that answers for every unit in
one or two aggregate queries, reading other modules only through their services. Apps may
register more with ``register``.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    raw: Decimal
    links: list = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    read: object  # (period, units) -> {unit_id: Figure}
    # The scheme levels the source reports on (None: every level).
    levels: frozenset | None = None

    def reports_on(self, level):
        return self.levels is None or level in self.levels


_REGISTRY = {}

# Who each module's figures are kept for: objectives score every unit a plan assigns to,
# supervised items are led by townships and departments, coverage is a township's, referral
# and joint-meeting figures a department's, the per-person figures a representative's.
ASSIGNEES = frozenset({"township", "department", "county", "prefecture"})
LEAD_UNITS = frozenset({"township", "department"})
TOWNSHIPS = frozenset({"township"})
DEPARTMENTS = frozenset({"department"})
PEOPLE = frozenset({"person"})


def register(code, label, read, levels=None):
    _REGISTRY[code] = Source(code, label, read, levels)


def get(code):
    return _REGISTRY.get(code)


def all_sources():
    return sorted(_REGISTRY.values(), key=lambda source: source.code)


def _objectives(key):
    def read(period, units):
        from apps.objectives.services.scoring import unit_scores

        rows = unit_scores(period, [unit.pk for unit in units])
        return {unit_id: Figure(Decimal(row[key]), [row["url"]]) for unit_id, row in rows.items()}

    return read


def _supervision(key):
    def read(period, units):
        from apps.supervision import services as supervision

        rows = supervision.unit_figures(
            [unit.pk for unit in units], period.start_date, period.end_date
        )
        list_url = reverse("supervision:item-list")
        return {
            unit_id: Figure(
                Decimal(row.get(key) or 0), [f"{list_url}?{urlencode({'lead_unit': unit_id})}"]
            )
            for unit_id, row in rows.items()
        }

    return read


register("objectives.score", _("Objective score"), _objectives("score"), ASSIGNEES)
register("objectives.assigned", _("Objective points assigned"), _objectives("assigned"), ASSIGNEES)
for _key, _label in [
    ("assigned", _("Supervised items assigned")),
    ("on_time", _("Supervised items completed on time")),
    ("overdue", _("Supervised items overdue")),
    ("returned", _("Supervised items returned")),
    ("satisfied", _("Supervised items rated satisfied")),
    ("unsatisfied", _("Supervised items rated unsatisfied")),
    ("slips", _("Supervision slips issued")),
]:
    register(f"supervision.{_key}", _label, _supervision(_key), LEAD_UNITS)


def _coverage(key):
    def read(period, units):
        from apps.liaison.services.coverage import township_coverage

        rows = township_coverage([unit.pk for unit in units], period.start_date, period.end_date)
        page = reverse("liaison:coverage")
        figures = {}
        for unit_id, row in rows.items():
            if key == "cases_on_time_rate":
                value = 100 * row["cases_on_time"] / row["cases"] if row["cases"] else 0
            else:
                value = row[key]
            figures[unit_id] = Figure(Decimal(value), [page])
        return figures

    return read


def _responsiveness(key):
    def read(period, units):
        from apps.coordination.services import responsiveness
        from apps.organizations.models import OrgUnit

        rows = responsiveness(
            period, OrgUnit.objects.filter(pk__in=[unit.pk for unit in units]), with_reasons=False
        )
        page = reverse("coordination:responsiveness")
        figures = {}
        for row in rows:
            if key.endswith("_rate") and key != "satisfaction_rate":
                done = row[key.removesuffix("_rate")]
                value = 100 * done / row["received"] if row["received"] else 0
            else:
                value = row[key] or 0
            figures[row["department"]] = Figure(Decimal(value), [page])
        return figures

    return read


register(
    "objectives.innovation", _("Innovation points awarded"), _objectives("innovation"), ASSIGNEES
)
register("liaison.coverage", _("Households visited (%)"), _coverage("coverage"), TOWNSHIPS)
register("liaison.visits", _("Visits made"), _coverage("visits"), TOWNSHIPS)
register(
    "liaison.cases_on_time_rate",
    _("Cases answered in time (%)"),
    _coverage("cases_on_time_rate"),
    TOWNSHIPS,
)
register(
    "coordination.accepted_on_time_rate",
    _("Referrals accepted in time (%)"),
    _responsiveness("accepted_on_time_rate"),
    DEPARTMENTS,
)
register(
    "coordination.completed_on_time_rate",
    _("Referrals completed in time (%)"),
    _responsiveness("completed_on_time_rate"),
    DEPARTMENTS,
)
register("coordination.overdue", _("Referrals overdue"), _responsiveness("overdue"), DEPARTMENTS)
register(
    "coordination.satisfaction_rate",
    _("Referral satisfaction (%)"),
    _responsiveness("satisfaction_rate"),
    DEPARTMENTS,
)
register("coordination.received", _("Referrals received"), _responsiveness("received"), DEPARTMENTS)


def _decisions(key):
    def read(period, units):
        from apps.coordination.services import decision_figures

        rows = decision_figures([unit.pk for unit in units], period.start_date, period.end_date)
        page = reverse("coordination:meeting-list")
        figures = {}
        for unit_id, row in rows.items():
            if key.endswith("_rate"):
                done = row[key.removesuffix("_rate")]
                value = 100 * done / row["owned"] if row["owned"] else 0
            else:
                value = row[key]
            figures[unit_id] = Figure(Decimal(value), [page])
        return figures

    return read


register(
    "coordination.decisions_done",
    _("Joint-meeting decisions done"),
    _decisions("done"),
    DEPARTMENTS,
)
register(
    "coordination.decisions_done_on_time_rate",
    _("Joint-meeting decisions done in time (%)"),
    _decisions("done_on_time_rate"),
    DEPARTMENTS,
)
register(
    "coordination.decisions_overdue",
    _("Joint-meeting decisions overdue"),
    _decisions("overdue"),
    DEPARTMENTS,
)


# Per-person sources (for schemes of level ``person``) key their figures by ``person_key``:
# the engine looks a person's figure up there before her unit's.


def person_key(user_id):
    return ("person", user_id)


def _representatives(key):
    def read(period, units):
        from apps.liaison.services.coverage import representative_figures

        rows = representative_figures(
            [unit.pk for unit in units], period.start_date, period.end_date
        )
        query = urlencode({"period": period.pk, "level": "representative"})
        page = f"{reverse('liaison:coverage')}?{query}"
        figures = {}
        for user_id, row in rows.items():
            # "absent": 1 for a representative who took part in no group activity at all.
            value = int(not row["gatherings"]) if key == "absent" else row[key]
            figures[person_key(user_id)] = Figure(Decimal(value), [page])
        return figures

    return read


register("liaison.person_visits", _("Visits she logged"), _representatives("visits"), PEOPLE)
register(
    "liaison.person_gatherings",
    _("Group activities she took part in"),
    _representatives("gatherings"),
    PEOPLE,
)
register(
    "liaison.person_absent",
    _("Never took part in a group activity (1 if so)"),
    _representatives("absent"),
    PEOPLE,
)
register(
    "liaison.person_cases_on_time",
    _("Her cases answered in time"),
    _representatives("cases_on_time"),
    PEOPLE,
)
