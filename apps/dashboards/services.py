"""The leadership dashboard: who may see it, for which unit and period, and its panels.

The panels read snapshots and rollups, never the raw logs: assessment results, supervision
figures grouped in SQL, and this app's rollups (UnitMonth and CaseMonth per unit and month,
ObjectiveTally per unit and period) written by the nightly ``refresh_rollups``. A view loads the
unit's children, never its subtree: a rollup panel reads each child's area row (its subtree's
figures, summed nightly) and the unit's own; the live panels group their rows by the child they
lie under in SQL (``child_code``). So a view costs the same queries, and reads the same number
of rows, whatever the number of units and records below the unit shown. The rollup panels and
the ranking of a view are kept in the cache until what they read changes (``kept_panels``).
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    PositiveIntegerField,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import RowNumber, Substr
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from redis.exceptions import RedisError

from apps.core.bulk import copy_rows
from apps.core.deadlines import Reason
from apps.core.roles import Role
from apps.dashboards.models import RISKS, CaseMonth, ObjectiveTally, UnitMonth
from apps.organizations.models import OrgUnit, Period
from federation.routers import reading_from_replica

logger = logging.getLogger(__name__)

# Village representatives and department liaisons work from their own lists: the dashboard is
# for those who oversee an area (DESIGN: leaders, county staff; township staff for their own).
VIEWER_ROLES = (Role.LEADER, Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)

# The four lights of objective completion (正常 / 临期 / 滞后 / 已逾期), the deadline engine's
# reasons; done work (and a closed period's) counts as on track.
LIGHTS = (Reason.ON_TRACK, Reason.DUE_SOON, Reason.BEHIND, Reason.OVERDUE)
LIGHT_OF_REASON = {Reason.DONE: Reason.ON_TRACK, Reason.CLOSED: Reason.ON_TRACK}

PANELS = (
    ("assessment", gettext_lazy("Assessment ranking")),
    ("objectives", gettext_lazy("Objective completion")),
    ("supervision", gettext_lazy("Supervised items")),
    ("cases", gettext_lazy("Cases")),
    ("referrals", gettext_lazy("Referral response")),
    ("liaison", gettext_lazy("Liaison coverage")),
    ("innovation", gettext_lazy("Innovation items awarded")),
)


# --- who, where, when --------------------------------------------------------------------------


def may_view(user):
    return user.is_authenticated and (user.is_superuser or user.has_role(*VIEWER_ROLES))


def home_unit(user):
    """The highest unit the user oversees: where the dashboard opens."""
    units = [m.unit for m in user.active_memberships if m.role in VIEWER_ROLES]
    if units:
        return min(units, key=lambda unit: unit.path.count("/"))
    if user.is_superuser:
        return OrgUnit.objects.filter(parent=None).order_by("path").first()
    return None


def resolve_unit(user, unit_id):
    """The unit to show: the user's home unit, or one inside her area (anything else: 404)."""
    if not may_view(user):
        raise PermissionDenied
    home = home_unit(user)
    if unit_id in (None, ""):
        if home is None:
            raise Http404
        return home
    try:
        unit = OrgUnit.objects.get(pk=int(unit_id))
    except (OrgUnit.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not oversees(user, unit):
        raise Http404
    return unit


def oversees(user, unit):
    """True when ``unit`` lies in the area of one of the user's dashboard roles."""
    paths = [m.unit.path for m in user.active_memberships if m.role in VIEWER_ROLES]
    return user.is_superuser or any(unit.path.startswith(path) for path in paths)


def resolve_period(period_id):
    """The chosen period, else the year covering today, else the latest one."""
    if period_id not in (None, ""):
        try:
            return Period.objects.get(pk=int(period_id))
        except (Period.DoesNotExist, TypeError, ValueError):
            raise ValidationError({"period": _("There is no such period.")}) from None
    period = Period.objects.current_year() or Period.objects.order_by("-start_date").first()
    if period is None:
        raise ValidationError({"period": _("No period has been set up yet.")})
    return period


def previous_period(period):
    """The period of the same kind just before ``period`` (None for the first)."""
    return (
        Period.objects.filter(kind=period.kind, start_date__lt=period.start_date)
        .order_by("-start_date")
        .first()
    )


def months_of(start, end):
    """The first days of the months from ``start`` to ``end``."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


@dataclass
class View:
    """One dashboard view: a unit, its period, and the units its figures are grouped by (its
    children; rows of the unit itself count under the unit)."""

    user: object
    unit: OrgUnit
    period: Period
    previous: Period | None
    children: list = field(default_factory=list)
    breadcrumbs: list = field(default_factory=list)

    def __post_init__(self):
        # The units a grouped row may stand for, by id and by the code ``child_code`` gives.
        self.by_pk = {self.unit.pk: self.unit, **{child.pk: child for child in self.children}}
        self.by_code = {"": self.unit, **{child.code: child for child in self.children}}

    @property
    def months(self):
        return months_of(self.period.start_date, self.period.end_date)

    def group_rows(self):
        """The rows a by-unit table shows: the children, or the unit itself at the leaves."""
        return self.children or [self.unit]

    def child_code(self, path):
        """SQL: the code of the child of the unit shown that a row lies under, '' for a row of
        the unit itself. ``path`` names the row's unit's path (``"unit__path"``…): a child's
        path is the unit's path, its code and "/", so the code is the segment right after it."""
        return Func(
            Substr(F(path), len(self.unit.path) + 1),
            Value("/"),
            Value(1),
            function="SPLIT_PART",
            output_field=CharField(),
        )

    def area_rows(self, rollup):
        """The rows of ``rollup`` a by-unit table sums: each child's area row (its whole
        subtree, summed nightly) and the unit's own row; at most one per child and key."""
        children = [child.pk for child in self.children]
        return rollup.filter(
            Q(unit__in=children, whole_area=True) | Q(unit=self.unit, whole_area=False)
        )

    def owner(self, code):
        """The unit (a child, or the unit itself) a row grouped by ``child_code`` counts under."""
        return self.by_code.get(code, self.unit)


def build_view(user, period, unit):
    """Load the unit's children and the units above it (one query) and the period before (one
    query): never the subtree below the children."""
    codes = unit.path.strip("/").split("/")
    units = OrgUnit.objects.filter(Q(parent=unit) | Q(code__in=codes)).only(
        "pk", "name", "kind", "path", "parent_id", "code"
    )
    children, above = [], {}
    for each in units:
        if each.parent_id == unit.pk:
            children.append(each)
        else:
            above[each.code] = each
    children.sort(key=lambda u: (u.kind != OrgUnit.Kind.TOWNSHIP, u.path))
    crumbs = [above[code] for code in codes if code in above]
    crumbs = [u for u in crumbs if oversees(user, u)]
    return View(
        user=user,
        unit=unit,
        period=period,
        previous=previous_period(period),
        children=children,
        breadcrumbs=[{"id": u.pk, "name": u.name} for u in crumbs],
    )


# --- the dashboard -----------------------------------------------------------------------------


def dashboard(user, period, unit):
    """Every panel of the dashboard of ``unit`` for ``period``, as plain data (the API's body):
    ``unit``, ``period``, ``previous_period``, ``breadcrumbs``, ``children`` and ``panels``
    (one object per panel). Raises PermissionDenied for roles without a dashboard and Http404
    for a unit outside the user's area."""
    if not may_view(user):
        raise PermissionDenied
    if not oversees(user, unit):
        raise Http404
    # Figures from the nightly snapshots may come from a read replica (DATABASE_REPLICA_URL).
    with reading_from_replica():
        view = build_view(user, period, unit)
        computed = {
            "supervision": supervision_panel(view),
            "innovation": innovation_panel(view),
            **kept_panels(view, KEPT_PANELS),
        }
    panels = {}
    for key, title in PANELS:
        panels[key] = {**computed[key], "title": str(title)}
    return {
        "unit": _unit(unit),
        "period": _period(period),
        "previous_period": _period(view.previous) if view.previous else None,
        "breadcrumbs": view.breadcrumbs,
        "children": [_unit(child) for child in view.children],
        "panels": panels,
    }


def _unit(unit):
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind}


def _period(period):
    return {
        "id": period.pk,
        "name": period.name,
        "start": period.start_date.isoformat(),
        "end": period.end_date.isoformat(),
    }


def _rate(part, whole):
    return round(100 * part / whole) if whole else None


# A level's ranking on the dashboard: its leaders; the whole ranking is the results page's.
RANKED_ROWS = 30


def assessment_panel(view):
    """Results of the period's schemes by level in the unit's subtree, each level at the
    furthest round scored: its first RANKED_ROWS units by rank (``count``: how many it ranks),
    with the previous period's total, rank and grade beside each unit. Two queries: the first
    ranks of every level and round (a window in SQL), then the previous period's rows of the
    units shown. Both read only the columns shown, as plain rows: model instances of the
    result, its scheme and its unit cost more than the query itself."""
    from apps.assessment.models import AssessmentResult, Level, Round

    results = AssessmentResult.objects.for_user(view.user).filter(
        person=None, unit__path__startswith=view.unit.path
    )
    shown = ("unit", "round", "total", "rank", "grade")
    each_round = [F("scheme__level"), F("round")]
    first_ranks = (
        results.filter(scheme__period=view.period)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=each_round,
                order_by=[F("rank").asc(nulls_last=True), F("unit__path").asc()],
            ),
            ranked=Window(Count("pk"), partition_by=each_round),
        )
        .filter(position__lte=RANKED_ROWS)
        .order_by("scheme__level", "round", "position")
        .values(*shown, "ranked", "unit__name", level=F("scheme__level"))
    )
    by_level = _at_furthest_round(first_ranks)
    earlier = {}
    if view.previous is not None:
        before = results.filter(
            scheme__period=view.previous,
            unit__in={row["unit"] for rows in by_level.values() for row in rows},
        ).values(*shown, level=F("scheme__level"))
        for level, rows in _at_furthest_round(before).items():
            earlier.update({(level, row["unit"]): row for row in rows})
    # Townships first: the chart draws the first level, the others are tables below it.
    order = {level: position for position, level in enumerate(Level.values)}
    return {
        "levels": [
            {
                "level": level,
                "label": str(Level(level).label),
                "round": str(Round(rows[0]["round"]).label),
                "count": rows[0]["ranked"],
                "rows": [_result_row(row, earlier.get((level, row["unit"])), view) for row in rows],
            }
            for level, rows in sorted(by_level.items(), key=lambda item: order[item[0]])
        ]
    }


def _at_furthest_round(results):
    """``results`` (rows with a ``level`` and a ``round``) by level, each level's of its
    furthest round only (自评 → … → 审定)."""
    from apps.assessment.models import ROUND_ORDER

    by_level = {}
    for result in results:
        rows = by_level.setdefault(result["level"], [])
        if rows and ROUND_ORDER.index(result["round"]) > ROUND_ORDER.index(rows[0]["round"]):
            rows.clear()
        if not rows or rows[0]["round"] == result["round"]:
            rows.append(result)
    return by_level


def _result_row(result, earlier, view):
    return {
        "unit": result["unit"],
        "name": result["unit__name"],
        # The results read lie in the unit's subtree: any of them below the unit opens.
        "drill": _drill(view, result["unit"]),
        "total": float(result["total"]),
        "rank": result["rank"],
        "grade": result["grade"],
        "previous_total": float(earlier["total"]) if earlier else None,
        "previous_rank": earlier["rank"] if earlier else None,
        "previous_grade": earlier["grade"] if earlier else None,
    }


def objectives_panel(view):
    """Published leaf objectives of the period in the unit's subtree, counted by category and by
    unit under the deadline engine's lights, from the nightly tallies (ObjectiveTally): the
    children's area rows and the unit's own. One query."""
    from apps.objectives.models import Objective

    tallies = ObjectiveTally.objects.in_area(view.user).filter(period=view.period)
    by_category = {value: dict.fromkeys(LIGHTS, 0) for value in Objective.Category.values}
    by_unit = {u.pk: dict.fromkeys(LIGHTS, 0) for u in view.group_rows()}
    for row in view.area_rows(tallies).order_by().values("unit", "category", *map(str, LIGHTS)):
        for target in (
            by_category.setdefault(row["category"], dict.fromkeys(LIGHTS, 0)),
            by_unit.setdefault(row["unit"], dict.fromkeys(LIGHTS, 0)),
        ):
            for light in LIGHTS:
                target[light] += row[str(light)]
    return {
        "lights": [{"key": str(light), "label": str(Reason(light).label)} for light in LIGHTS],
        "by_category": [
            {"key": key, "label": str(Objective.Category(key).label), "counts": counts}
            for key, counts in by_category.items()
            if key in Objective.Category.values
        ],
        "by_unit": [
            {"unit": pk, "name": _name(view, pk), "drill": _drill(view, pk), "counts": counts}
            for pk, counts in by_unit.items()
        ],
    }


def _name(view, pk):
    unit = view.by_pk.get(pk)
    return unit.name if unit else ""


def _drill(view, pk):
    """The unit a click on this row opens, when it lies below the unit shown (rows are read
    from the unit's subtree only)."""
    return pk if pk != view.unit.pk else None


def supervision_panel(view):
    """Items assigned in the period and led in the unit's subtree: 在办 / 逾期 / 阶段性办结 /
    办结 / 中止 by child (grouped in SQL), and the overdue list. Two queries, one when the counts
    find nothing overdue."""
    from apps.supervision import reports
    from apps.supervision.models import SupervisionItem

    items = SupervisionItem.objects.for_user(view.user).filter(
        lead_unit__path__startswith=view.unit.path,
        assigned_at__date__range=(view.period.start_date, view.period.end_date),
    )
    rows = {u.pk: dict.fromkeys(reports.STATE_KEYS, 0) for u in view.group_rows()}
    grouped = reports.state_counts_by_unit(items, group=view.child_code("lead_unit__path"))
    overdue = sum(figures["overdue"] for figures in grouped.values())
    for code, figures in grouped.items():
        owner = view.owner(code)
        target = rows.setdefault(owner.pk, dict.fromkeys(reports.STATE_KEYS, 0))
        for key in reports.STATE_KEYS:
            target[key] += figures[key]
    labels = dict(reports.COLUMNS)
    return {
        "columns": [{"key": key, "label": str(labels[key])} for key in reports.STATE_KEYS],
        "by_unit": [
            {"unit": pk, "name": _name(view, pk), "drill": _drill(view, pk), **figures}
            for pk, figures in rows.items()
        ],
        "overdue": [
            {
                "id": item["pk"],
                "title": item["title"],
                "lead_unit": item["lead_unit__name"],
                "deadline": item["deadline"].isoformat(),
                "url": reverse("supervision:item-detail", args=[item["pk"]]),
            }
            for item in (reports.overdue_items(items) if overdue else [])
        ],
    }


def cases_panel(view):
    """Cases opened in the period by category, month and unit: counts only, the sensitive ones
    as a count beside each (no text of any case). Two queries on the rollup: the children's
    area rows and the unit's own by unit and category, the unit's area rows by month."""
    from apps.liaison.models import Case

    rollup = CaseMonth.objects.in_area(view.user).filter(
        month__range=(view.period.start_date.replace(day=1), view.period.end_date)
    )
    sums = {"cases": Sum("cases"), "sensitive": Sum("sensitive"), "on_time": Sum("on_time")}
    empty = {"cases": 0, "sensitive": 0, "on_time": 0}
    by_category = {key: dict(empty) for key in Case.Category.values}
    # Cases belong to villages: departments have no row here.
    by_unit = {u.pk: dict(empty) for u in view.group_rows() if u.kind != OrgUnit.Kind.DEPARTMENT}
    for row in view.area_rows(rollup).order_by().values("unit", "category").annotate(**sums):
        for target in (
            by_category.setdefault(row["category"], dict(empty)),
            by_unit.setdefault(row["unit"], dict(empty)),
        ):
            for key in empty:
                target[key] += row[key]
    by_month = {month: dict(empty) for month in view.months}
    area = rollup.filter(unit=view.unit, whole_area=True)
    for row in area.order_by().values("month").annotate(**sums):
        by_month[row["month"]] = {key: row[key] for key in empty}
    return {
        "by_category": [
            {"key": key, "label": str(Case.Category(key).label), **figures, **_on_time(figures)}
            for key, figures in by_category.items()
            if key in Case.Category.values
        ],
        "by_month": [
            {"month": month.strftime("%Y-%m"), **figures, **_on_time(figures)}
            for month, figures in sorted(by_month.items())
        ],
        "by_unit": [
            {
                "unit": pk,
                "name": _name(view, pk),
                "drill": _drill(view, pk),
                **figures,
                **_on_time(figures),
            }
            for pk, figures in by_unit.items()
        ],
    }


def _on_time(figures):
    return {"on_time_rate": _rate(figures["on_time"], figures["cases"])}


REFERRAL_KEYS = (
    "referrals",
    "referrals_accepted",
    "referrals_accepted_on_time",
    "referrals_completed",
    "referrals_completed_on_time",
    "referrals_declined",
    "hours_to_accept",
    "hours_to_complete",
)


def referrals_panel(view):
    """Referrals received in the period by each department in the unit's subtree that the user
    may read the responsiveness of (coordination's rule: county staff and leaders). One query."""
    from apps.coordination import services as coordination

    departments = coordination.responsive_departments(view.user)
    if departments is None:
        return {"available": False, "by_department": []}
    rows = (
        UnitMonth.objects.in_area(view.user)
        .filter(
            whole_area=False,
            unit__path__startswith=view.unit.path,
            unit__in=departments.values("pk"),
            month__range=(view.period.start_date.replace(day=1), view.period.end_date),
        )
        .order_by("unit__path")
        .values("unit", "unit__name")
        .annotate(**{key: Sum(key) for key in REFERRAL_KEYS})
    )
    return {"available": True, "by_department": [_referral_row(view, row) for row in rows]}


def _referral_row(view, row):
    accepted, completed = row["referrals_accepted"], row["referrals_completed"]
    return {
        "unit": row["unit"],
        "name": row["unit__name"],
        "drill": _drill(view, row["unit"]),
        "received": row["referrals"],
        "accepted": accepted,
        "accepted_on_time": row["referrals_accepted_on_time"],
        "completed": completed,
        "completed_on_time": row["referrals_completed_on_time"],
        "declined": row["referrals_declined"],
        "accept_on_time_rate": _rate(row["referrals_accepted_on_time"], row["referrals"]),
        "complete_on_time_rate": _rate(row["referrals_completed_on_time"], accepted),
        "average_days_to_accept": round(row["hours_to_accept"] / accepted / 24, 1)
        if accepted
        else None,
        "average_days_to_complete": round(row["hours_to_complete"] / completed / 24, 1)
        if completed
        else None,
    }


LIAISON_SUMS = (
    "visits",
    "cases",
    "cases_on_time",
    *(f"visits_due_{risk}" for risk in RISKS),
    *(f"visits_made_{risk}" for risk in RISKS),
)


def liaison_panel(view):
    """Coverage by unit: households linked and visited (from the start of the year to the
    period's last month so far), visits made against those due by risk colour, cases answered
    in time. One query on the rollup: the children's area rows and the unit's own, a row per
    month each, summed here (a dozen rows a child cost less than a dozen sums in SQL)."""
    first = view.period.start_date.replace(day=1)
    last = min(view.period.end_date, timezone.localdate()).replace(day=1)
    rollup = (
        UnitMonth.objects.in_area(view.user)
        .filter(Q(month__range=(first, view.period.end_date)) | Q(month=last))
        .exclude(unit__kind=OrgUnit.Kind.DEPARTMENT)
    )
    empty = dict.fromkeys(("linked", "visited", *LIAISON_SUMS), 0)
    rows = {u.pk: dict(empty) for u in view.group_rows() if u.kind != OrgUnit.Kind.DEPARTMENT}
    for row in (
        view.area_rows(rollup)
        .order_by()
        .values("unit", "month", "households_linked", "households_visited_ytd", *LIAISON_SUMS)
    ):
        target = rows.setdefault(row["unit"], dict(empty))
        if first <= row["month"] <= view.period.end_date:
            for key in LIAISON_SUMS:
                target[key] += row[key]
        if row["month"] == last:
            target["linked"] += row["households_linked"]
            target["visited"] += row["households_visited_ytd"]
    return {
        "risks": [{"key": risk, "label": _risk_label(risk)} for risk in RISKS],
        "by_unit": [_liaison_row(view, pk, figures) for pk, figures in rows.items()],
    }


def _risk_label(risk):
    from apps.liaison.models import Risk

    return str(Risk(risk).label)


def _liaison_row(view, pk, figures):
    return {
        "unit": pk,
        "name": _name(view, pk),
        "drill": _drill(view, pk),
        "linked": figures["linked"],
        "visited": figures["visited"],
        "coverage": _rate(figures["visited"], figures["linked"]),
        "visits": figures["visits"],
        "due": {risk: figures[f"visits_due_{risk}"] for risk in RISKS},
        "made": {risk: figures[f"visits_made_{risk}"] for risk in RISKS},
        "cases": figures["cases"],
        "cases_on_time": figures["cases_on_time"],
    }


def innovation_panel(view, limit=20):
    """Innovation items awarded in the period's plans to units in the subtree: the count and
    points by child (grouped in SQL), and the highest-awarded items (their titles, never a
    person's name). Two queries, one when nothing was awarded."""
    from apps.objectives.models import InnovationItem

    items = InnovationItem.objects.for_user(view.user).filter(
        plan__period=view.period,
        status=InnovationItem.Status.AWARDED,
        unit__path__startswith=view.unit.path,
    )
    by_unit = {}
    for row in (
        items.values(child=view.child_code("unit__path"))
        .annotate(items=Count("pk"), points=Sum("awarded_points"), top=Max("awarded_points"))
        .order_by("-top", "child")  # the unit of the highest award first, as the list below
    ):
        target = by_unit.setdefault(view.owner(row["child"]).pk, {"items": 0, "points": 0.0})
        target["items"] += row["items"]
        target["points"] += float(row["points"] or 0)
    highest = (
        items.order_by("-awarded_points", "pk").values("title", "unit__name", "awarded_points")
        if by_unit
        else []
    )
    listed = [
        {"title": row["title"], "unit": row["unit__name"], "points": float(row["awarded_points"])}
        for row in highest[:limit]
    ]
    return {
        "count": sum(row["items"] for row in by_unit.values()),
        "points": round(sum(row["points"] for row in by_unit.values()), 2),
        "by_unit": [
            {"unit": pk, "name": _name(view, pk), "drill": _drill(view, pk), **row}
            for pk, row in by_unit.items()
        ],
        "items": listed,
    }


KEPT_PANELS = {
    "assessment": assessment_panel,
    "objectives": objectives_panel,
    "cases": cases_panel,
    "referrals": referrals_panel,
    "liaison": liaison_panel,
}


# --- the panels kept until what they read changes -----------------------------------------------

# The rollup panels read nothing but the rollups, the units, the period and the calendar day, and
# the ranking nothing but the assessment results (written by the nightly scoring and by staff
# scoring, approving or publishing a round) and their schemes, so between two changes every read
# of one view answers the same: a county's leaders and staff opening the dashboard all morning
# need it built once. What a panel depends on is in its key: the database, the generation (a new
# one at each refresh of the rollups, at each write of results, and at each change of a scheme,
# a unit or a period), the panel, the unit, the period, the day, the language and the viewer's
# memberships (her roles and areas decide what the panels count, e.g. whether she reads the
# departments' responsiveness). The cache is Redis, which the product does not depend on: when
# it is away the panels are built as without it.
PANEL_TIMEOUT = 15 * 60  # bounds what a replica a few seconds behind may leave behind
CACHE_ERRORS = (RedisError, OSError)


def kept_panels(view, builders):
    """``{name: builder(view)}`` for ``builders`` (KEPT_PANELS), from the cache where it holds
    them; the others are built and kept. One round trip to the cache for the generation, one for
    the panels, one to keep what was built."""
    try:
        generation = _generation()
        keys = _panel_keys(view, builders, generation)
        found = cache.get_many(list(keys.values()))
    except CACHE_ERRORS:
        logger.warning("dashboards: the cache is away, building the panels", exc_info=True)
        return {name: build(view) for name, build in builders.items()}
    panels, built = {}, {}
    for name, build in builders.items():
        panel = found.get(keys[name])
        if panel is None:
            panel = built[keys[name]] = build(view)
        panels[name] = panel
    if built:
        try:
            cache.set_many(built, PANEL_TIMEOUT)
        except CACHE_ERRORS:
            logger.warning("dashboards: the cache is away, panels not kept", exc_info=True)
    return panels


def rollups_changed():
    """Panels kept so far are not read again: call where rollups, units or periods are written
    (results and schemes signal it, see connect_signals).
    A new generation at once, and another when the transaction commits, so that a panel built
    meanwhile from the figures before the change is not read after it."""
    _new_generation()
    transaction.on_commit(_new_generation)


def connect_signals(app_config):
    """A unit, a period or an assessment scheme changed (a name, a child, the dates, the level),
    results were written, or a migration ran: the panels kept name, count and rank by the old
    ones. (``migrate`` signals once per app: this app's once is enough.) Results written a round
    at a time send ``results_changed``; one saved alone, its post_save. (No post_delete for
    results: a scheme rewritten deletes its results in one statement, and a receiver would have
    Django delete them one by one; the scheme's own save signals it.)"""
    from apps.assessment.models import AssessmentResult, AssessmentScheme
    from apps.assessment.signals import results_changed

    for model in (OrgUnit, Period, AssessmentScheme):
        post_save.connect(_changed, sender=model, dispatch_uid=f"dashboards-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"dashboards-d-{model.__name__}")
    post_save.connect(_changed, sender=AssessmentResult, dispatch_uid="dashboards-result")
    results_changed.connect(_changed, dispatch_uid="dashboards-results")
    post_migrate.connect(_changed, sender=app_config, dispatch_uid="dashboards-migrate")


def _changed(sender, **kwargs):
    rollups_changed()


def _new_generation():
    try:
        cache.set(_generation_key(), uuid.uuid4().hex, timeout=None)
    except CACHE_ERRORS:
        # The panels kept under the old generation expire within PANEL_TIMEOUT.
        logger.warning("dashboards: the cache is away, no new generation", exc_info=True)


def _generation():
    key = _generation_key()
    generation = cache.get(key)
    if generation is None:
        # A fresh (or flushed) cache: start one; of two workers starting at once, one wins.
        cache.add(key, uuid.uuid4().hex, timeout=None)
        generation = cache.get(key)
    return generation


def _generation_key():
    return f"dashboards:generation:{_database()}"


def _database():
    """The database the figures come from: test and benchmark databases share one Redis and
    reuse ids."""
    database = settings.DATABASES["default"]
    where = f"{database.get('HOST')}:{database.get('PORT')}/{database['NAME']}"
    return hashlib.sha256(where.encode()).hexdigest()[:16]


def _panel_keys(view, names, generation):
    """``{name: cache key}`` of the panels ``names`` of ``view``: what they share is read
    once."""
    viewer = sorted((m.role, m.unit.path) for m in view.user.active_memberships)
    viewer.append(view.user.is_superuser)
    shared = (
        view.unit.pk,
        view.period.pk,
        timezone.localdate().isoformat(),
        translation.get_language(),
        repr(viewer),
    )
    prefix = f"dashboards:panel:{_database()}:{generation}"
    return {
        name: f"{prefix}:{hashlib.sha256(repr((name, *shared)).encode()).hexdigest()[:32]}"
        for name in names
    }


# --- the nightly rollup ------------------------------------------------------------------------


def rollup_months(today=None):
    """The months the nightly run refreshes: this one and the one before (late records)."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    return [(this_month - timedelta(days=1)).replace(day=1), this_month]


def refresh_rollups(months=None, periods=None):
    """Rewrite the rollup rows of ``months`` (first days; default: ``rollup_months()``) from
    the records, set-based: a few grouped queries per month through liaison's and coordination's
    services, then one delete and one bulk insert per table; then the objective tallies of
    ``periods`` (default: ``tally_periods()``). Idempotent: a rerun writes the same rows.
    Returns the number of rows written."""
    from apps.coordination import services as coordination
    from apps.liaison import services as liaison

    months = sorted(months or rollup_months())
    end_of = {month: _month_end(month) for month in months}
    unit_rows, case_rows = {}, []
    for month in months:
        for unit_id, figures in liaison.monthly_coverage(month, end_of[month]).items():
            if unit_id is None:
                continue
            unit_rows[(unit_id, month)] = _liaison_figures(figures)
    for month in months:
        for row in coordination.monthly_responsiveness(month, end_of[month]):
            target = unit_rows.setdefault((row["department"], row["month"]), {})
            target.update(_referral_figures(row))
        for row in liaison.monthly_case_counts(month, end_of[month]):
            case_rows.append(CaseMonth(unit_id=row.pop("unit"), **row))
    areas = unit_areas()
    with transaction.atomic():
        UnitMonth.objects.filter(month__in=months).delete()
        CaseMonth.objects.filter(month__in=months).delete()
        UnitMonth.objects.bulk_create(
            [UnitMonth(unit_id=unit, month=month, **f) for (unit, month), f in unit_rows.items()],
            batch_size=2000,
        )
        CaseMonth.objects.bulk_create(case_rows, batch_size=2000)
        written = len(unit_rows) + len(case_rows) + refresh_area_rows(months=months, areas=areas)
    return written + refresh_objective_tallies(periods, areas=areas)


def tally_periods():
    """The periods whose objective lights the night recounts: the open ones (a light moves with
    the calendar), and a closed one whose tallies were counted before it closed (its leaves
    all turn to on track, once)."""
    counted_before_closing = ObjectiveTally.objects.filter(
        period=OuterRef("pk"), computed_at__lt=OuterRef("closed_at")
    )
    return Period.objects.filter(Q(is_closed=False) | Q(Exists(counted_before_closing)))


def refresh_objective_tallies(periods=None, today=None, areas=None):
    """Rewrite the ObjectiveTally rows of ``periods`` (default: ``tally_periods()``): the
    published leaf objectives of each period's plans, by assignee unit and category, counted
    under the deadline engine's lights (objectives.services.status_of, its reason mapped by
    LIGHT_OF_REASON) as they stand ``today``.

    Set-based: one grouped query returns the leaves by unit, category and the engine's inputs
    (plan, due date, reporting frequency, completion), with their number; the engine judges
    each distinct input once, on an unsaved objective carrying those fields, and the counts are
    summed. Then one delete and one bulk insert, and the area rows summed from them (``areas``:
    unit_areas(), read afresh when not given). Idempotent. Returns the number of rows."""
    from apps.objectives import services as objectives
    from apps.objectives.models import Objective, ObjectivePlan

    periods = list(tally_periods() if periods is None else periods)
    today = today or timezone.localdate()
    inputs = ("plan", "due_date", "report_frequency", "completion")
    groups = (
        Objective.objects.leaves()
        .filter(plan__period__in=periods, published_at__isnull=False)
        .order_by()
        .values("assignee_unit", "category", *inputs)
        .annotate(leaves=Count("pk"))
    )
    plans = ObjectivePlan.objects.filter(period__in=periods).select_related("period")
    plans = {plan.pk: plan for plan in plans}
    lights, tallies = {}, {}
    for row in groups.iterator(chunk_size=5000):
        key = tuple(row[name] for name in inputs)
        light = lights.get(key)
        if light is None:
            judged = Objective(
                plan=plans[row["plan"]],
                due_date=row["due_date"],
                report_frequency=row["report_frequency"],
                completion=row["completion"],
            )
            reason = objectives.status_of(judged, today).reason
            light = lights[key] = str(LIGHT_OF_REASON.get(reason, reason))
        tally = tallies.setdefault(
            (plans[row["plan"]].period_id, row["assignee_unit"], row["category"]),
            dict.fromkeys(map(str, LIGHTS), 0),
        )
        tally[light] += row["leaves"]
    with transaction.atomic():
        ObjectiveTally.objects.filter(period__in=periods).delete()
        ObjectiveTally.objects.bulk_create(
            [
                ObjectiveTally(period_id=period, unit_id=unit, category=category, **counts)
                for (period, unit, category), counts in tallies.items()
            ],
            batch_size=2000,
        )
        written = refresh_area_rows(periods=periods, areas=areas)
    return len(tallies) + written


def refresh_area_rows(months=(), periods=(), areas=None):
    """Rewrite the area rows of ``months`` (UnitMonth, CaseMonth) and of ``periods``
    (ObjectiveTally) from the own rows stored; ``areas``: unit_areas(), read afresh when not
    given. Returns the number of area rows."""
    areas = unit_areas() if areas is None else areas
    rollups_changed()
    written = 0
    if months:
        written += write_area_rows(UnitMonth, areas, ("month",), month__in=months)
        written += write_area_rows(CaseMonth, areas, ("month", "category"), month__in=months)
    if periods:
        written += write_area_rows(
            ObjectiveTally, areas, ("period_id", "category"), period__in=periods
        )
    return written


def unit_areas():
    """{unit id: the ids of the units whose area holds it, itself included}, from the paths
    of the whole tree (one query)."""
    by_path = dict(OrgUnit.objects.values_list("path", "pk"))
    return {
        pk: [by_path[above] for above in _path_prefixes(path) if above in by_path]
        for path, pk in by_path.items()
    }


def _path_prefixes(path):
    """ "9/901/9010001/" → "9/", "9/901/", "9/901/9010001/": the paths of a unit and of every
    unit above it."""
    codes = path.split("/")[:-1]
    return ["/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]


def write_area_rows(model, areas, keys, **which):
    """Rewrite ``model``'s area rows of ``which`` (a filter on month or period) from its own
    rows: each own row's figures (every count and sum the model keeps) added, by ``keys``
    (month, category …), to the area row of every unit in ``areas`` (unit_areas()) whose area
    holds the row's unit. One read of the own rows, one delete, one COPY. Returns the number
    of area rows."""
    figures = [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, (PositiveIntegerField, FloatField))
    ]
    own = model.objects.filter(whole_area=False, **which).order_by()
    totals = {}
    for unit, *row in own.values_list("unit", *keys, *figures).iterator(chunk_size=5000):
        key, values = tuple(row[: len(keys)]), row[len(keys) :]
        for area in areas.get(unit, (unit,)):
            sums = totals.get((area, key))
            if sums is None:
                totals[(area, key)] = list(values)
            else:
                for position, value in enumerate(values):
                    sums[position] += value
    model.objects.filter(whole_area=True, **which).delete()
    now = timezone.now()
    return copy_rows(
        model,
        ["unit_id", "whole_area", *keys, *figures, "created_at", "updated_at", "computed_at"],
        ((area, True, *key, *sums, now, now, now) for (area, key), sums in totals.items()),
    )


def _month_end(month):
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _liaison_figures(figures):
    return {
        "households_linked": figures["linked"],
        "households_visited": figures["visited"],
        "households_visited_ytd": figures.get("visited_ytd", 0),
        "visits": figures["visits"],
        "cases": figures["cases"],
        "cases_on_time": figures["cases_on_time"],
        **{f"visits_due_{risk}": figures["due"].get(risk, 0) for risk in RISKS},
        **{f"visits_made_{risk}": figures["made"].get(risk, 0) for risk in RISKS},
    }


def _referral_figures(row):
    return {
        "referrals": row["received"],
        "referrals_accepted": row["accepted"],
        "referrals_accepted_on_time": row["accepted_on_time"],
        "referrals_completed": row["completed"],
        "referrals_completed_on_time": row["completed_on_time"],
        "referrals_declined": row["declined"],
        "hours_to_accept": row["hours_to_accept"],
        "hours_to_complete": row["hours_to_complete"],
    }


def period_months(period):
    """Every month of ``period`` up to this one: what a full rebuild refreshes."""
    today = timezone.localdate()
    return [m for m in months_of(period.start_date, period.end_date) if m <= today]


def rebuild_for_periods(periods):
    """Refresh every month of ``periods`` and their objective tallies (the demo, a backfill)."""
    periods = list(periods)
    months = sorted({m for period in periods for m in period_months(period)})
    if months:
        return refresh_rollups(months, periods=periods)
    return refresh_objective_tallies(periods)


# --- the weekly digest -------------------------------------------------------------------------


def digest_figures(data):
    """The few numbers a leader's weekly digest quotes from her dashboard: counts only."""
    panels = data["panels"]
    lights = {light["key"]: 0 for light in panels["objectives"]["lights"]}
    for row in panels["objectives"]["by_unit"]:
        for key, count in row["counts"].items():
            lights[key] += count
    coverage = panels["liaison"]["by_unit"]
    linked = sum(row["linked"] for row in coverage)
    visited = sum(row["visited"] for row in coverage)
    cases = panels["cases"]["by_unit"]
    return {
        "behind": lights.get(Reason.BEHIND, 0),
        "overdue_objectives": lights.get(Reason.OVERDUE, 0),
        "overdue_items": sum(row["overdue"] for row in panels["supervision"]["by_unit"]),
        "cases": sum(row["cases"] for row in cases),
        "sensitive": sum(row["sensitive"] for row in cases),
        "coverage": _rate(visited, linked) or 0,
    }


def send_weekly_digest(today=None):
    """Weekly: each active leader gets one notification (in-app and e-mail) with the headline
    figures of her dashboard for the current period and a link to it; once per ISO week, so a
    rerun sends nothing twice. Returns the number sent."""
    from django.utils import translation

    from apps.accounts.models import User
    from apps.notifications.services import notify

    today = today or timezone.localdate()
    year, week, _day = today.isocalendar()
    try:
        period = resolve_period(None)
    except ValidationError:
        return 0
    sent = 0
    leaders = User.objects.filter(is_active=True, memberships__role=Role.LEADER).distinct()
    for leader in leaders.order_by("pk"):
        unit = home_unit(leader)
        if unit is None:
            continue
        figures = digest_figures(dashboard(leader, period, unit))
        url = f"{reverse('dashboards:index')}?period={period.pk}&unit={unit.pk}"
        with translation.override("zh-hans"):
            title = _("Weekly digest: %(unit)s, %(period)s") % {
                "unit": unit.name,
                "period": period.name,
            }
            body = (
                _(
                    "Objectives behind pace: %(behind)s; overdue: %(overdue_objectives)s. "
                    "Overdue supervised items: %(overdue_items)s. Cases this period: %(cases)s "
                    "(of which sensitive: %(sensitive)s). Households visited: %(coverage)s%%. "
                    "Open the dashboard for the details."
                )
                % figures
            )
        if notify(leader, f"dashboard-digest:{year}-W{week:02d}", title, body=body, url=url):
            sent += 1
    return sent
