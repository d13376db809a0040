"""The registry of data sources an indicator of kind ``data`` (or ``incident``) reads.

A source answers for every unit at once: its ``load(period, unit_ids)`` reads the rows in one or
two aggregate queries (through the other modules' services), and its ``figures(rows, period)``
turns them into ``{unit_id: Figure}``. The sources of one family (the seven supervision figures,
the three per-person ones …) share their ``load``, which ``read_all`` runs once for them all.
Apps may register more with ``register``.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Figure(NamedTuple):
    """A figure and the pages it was read from (a list several figures may share)."""

    raw: Decimal
    links: list


def _as_loaded(rows, period):
    return rows


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    load: object  # (period, unit_ids) -> rows, shared by a family of sources
    figures: object = _as_loaded  # (rows, period) -> {unit_id: Figure}
    # The scheme levels the source reports on (None: every level).
    levels: frozenset | None = None

    def reports_on(self, level):
        return self.levels is None or level in self.levels

    def read(self, period, unit_ids):
        """``{unit_id: Figure}`` for ``unit_ids`` (per-person sources: keyed by person_key)."""
        return self.figures(self.load(period, unit_ids), period)


_REGISTRY = {}

# Who each module's figures are kept for: objectives score every unit a plan assigns to,
# supervised items are led by townships and departments, coverage is a township's, referral
# and joint-meeting figures a department's, the per-person figures a representative's.
ASSIGNEES = frozenset({"township", "department", "county", "prefecture"})
LEAD_UNITS = frozenset({"township", "department"})
TOWNSHIPS = frozenset({"township"})
DEPARTMENTS = frozenset({"department"})
PEOPLE = frozenset({"person"})


def register(code, label, load, figures=_as_loaded, levels=None):
    """A source reading ``load(period, unit_ids)``; with ``figures``, those rows are turned
    into figures by it (a family's sources share one ``load``)."""
    _REGISTRY[code] = Source(code, label, load, figures, levels)


def get(code):
    return _REGISTRY.get(code)


def all_sources():
    return sorted(_REGISTRY.values(), key=lambda source: source.code)


def read_all(codes, period, unit_ids):
    """``{code: {unit_id: Figure}}`` for the sources ``codes``, each family's rows loaded once."""
    loaded = {}
    read = {}
    for code in sorted(codes):
        source = get(code)
        if source.load not in loaded:
            loaded[source.load] = source.load(period, unit_ids)
        read[code] = source.figures(loaded[source.load], period)
    return read


def _load_objectives(period, unit_ids):
    from apps.objectives.services.scoring import unit_scores

    return unit_scores(period, unit_ids)


def _objectives(key):
    def figures(rows, period):
        return {unit_id: Figure(Decimal(row[key]), [row["url"]]) for unit_id, row in rows.items()}

    return figures


def _load_supervision(period, unit_ids):
    from apps.supervision import services as supervision

    return supervision.unit_figures(unit_ids, period.start_date, period.end_date)


def _supervision(key):
    def figures(rows, period):
        list_url = reverse("supervision:item-list")
        return {
            unit_id: Figure(
                Decimal(row.get(key) or 0), [f"{list_url}?{urlencode({'lead_unit': unit_id})}"]
            )
            for unit_id, row in rows.items()
        }

    return figures


register(
    "objectives.score", _("Objective score"), _load_objectives, _objectives("score"), ASSIGNEES
)
register(
    "objectives.assigned",
    _("Objective points assigned"),
    _load_objectives,
    _objectives("assigned"),
    ASSIGNEES,
)
for _key, _label in [
    ("assigned", _("Supervised items assigned")),
    ("on_time", _("Supervised items completed on time")),
    ("overdue", _("Supervised items overdue")),
    ("returned", _("Supervised items returned")),
    ("satisfied", _("Supervised items rated satisfied")),
    ("unsatisfied", _("Supervised items rated unsatisfied")),
    ("slips", _("Supervision slips issued")),
]:
    register(f"supervision.{_key}", _label, _load_supervision, _supervision(_key), LEAD_UNITS)


def _load_coverage(period, unit_ids):
    from apps.liaison.services.coverage import township_coverage

    return township_coverage(unit_ids, period.start_date, period.end_date)


def _coverage(key):
    def figures(rows, period):
        links = [reverse("liaison:coverage")]
        figures = {}
        for unit_id, row in rows.items():
            if key == "cases_on_time_rate":
                value = 100 * row["cases_on_time"] / row["cases"] if row["cases"] else 0
            else:
                value = row[key]
            figures[unit_id] = Figure(Decimal(value), links)
        return figures

    return figures


def _load_responsiveness(period, unit_ids):
    from apps.coordination.services import responsiveness
    from apps.organizations.models import OrgUnit

    return responsiveness(period, OrgUnit.objects.filter(pk__in=unit_ids), with_reasons=False)


def _responsiveness(key):
    def figures(rows, period):
        links = [reverse("coordination:responsiveness")]
        figures = {}
        for row in rows:
            if key.endswith("_rate") and key != "satisfaction_rate":
                done = row[key.removesuffix("_rate")]
                value = 100 * done / row["received"] if row["received"] else 0
            else:
                value = row[key] or 0
            figures[row["department"]] = Figure(Decimal(value), links)
        return figures

    return figures


register(
    "objectives.innovation",
    _("Innovation points awarded"),
    _load_objectives,
    _objectives("innovation"),
    ASSIGNEES,
)
register(
    "liaison.coverage",
    _("Households visited (%)"),
    _load_coverage,
    _coverage("coverage"),
    TOWNSHIPS,
)
register("liaison.visits", _("Visits made"), _load_coverage, _coverage("visits"), TOWNSHIPS)
register(
    "liaison.cases_on_time_rate",
    _("Cases answered in time (%)"),
    _load_coverage,
    _coverage("cases_on_time_rate"),
    TOWNSHIPS,
)
for _key, _label in [
    ("accepted_on_time_rate", _("Referrals accepted in time (%)")),
    ("completed_on_time_rate", _("Referrals completed in time (%)")),
    ("overdue", _("Referrals overdue")),
    ("satisfaction_rate", _("Referral satisfaction (%)")),
    ("received", _("Referrals received")),
]:
    register(
        f"coordination.{_key}",
        _label,
        _load_responsiveness,
        _responsiveness(_key),
        DEPARTMENTS,
    )


def _load_decisions(period, unit_ids):
    from apps.coordination.services import decision_figures

    return decision_figures(unit_ids, period.start_date, period.end_date)


def _decisions(key):
    def figures(rows, period):
        links = [reverse("coordination:meeting-list")]
        figures = {}
        for unit_id, row in rows.items():
            if key.endswith("_rate"):
                done = row[key.removesuffix("_rate")]
                value = 100 * done / row["owned"] if row["owned"] else 0
            else:
                value = row[key]
            figures[unit_id] = Figure(Decimal(value), links)
        return figures

    return figures


for _key, _label in [
    ("done", _("Joint-meeting decisions done")),
    ("done_on_time_rate", _("Joint-meeting decisions done in time (%)")),
    ("overdue", _("Joint-meeting decisions overdue")),
]:
    register(
        f"coordination.decisions_{_key}", _label, _load_decisions, _decisions(_key), DEPARTMENTS
    )


# Per-person sources (for schemes of level ``person``) key their figures by ``person_key``:
# the engine looks a person's figure up there before her unit's.


def person_key(user_id):
    return ("person", user_id)


def _load_representatives(period, unit_ids):
    from apps.liaison.services.coverage import representative_figures

    return representative_figures(unit_ids, period.start_date, period.end_date)


def _representatives(key):
    def figures(rows, period):
        query = urlencode({"period": period.pk, "level": "representative"})
        links = [f"{reverse('liaison:coverage')}?{query}"]
        figures = {}
        for user_id, row in rows.items():
            # "absent": 1 for a representative who took part in no group activity at all.
            value = int(not row["gatherings"]) if key == "absent" else row[key]
            figures[person_key(user_id)] = Figure(Decimal(value), links)
        return figures

    return figures


for _key, _label in [
    ("visits", _("Visits she logged")),
    ("gatherings", _("Group activities she took part in")),
    ("absent", _("Never took part in a group activity (1 if so)")),
    ("cases_on_time", _("Her cases answered in time")),
]:
    register(
        f"liaison.person_{_key}", _label, _load_representatives, _representatives(_key), PEOPLE
    )
