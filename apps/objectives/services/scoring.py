"""考核: scoring a plan in a few set-based statements.

Run nightly and on demand. Every step overwrites what it computes from the records (reports,
awards), so running it twice, or again after a worker died halfway (the transaction rolled
back), gives the same numbers.
"""

from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from operator import attrgetter
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    F,
    Max,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.urls import reverse
from django.utils import timezone

from apps.core.bulk import update_rows, upsert_rows
from apps.core.decimals import CENT, rounded
from apps.objectives.models import (
    RATIO,
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    UnitScore,
)
from apps.organizations.models import OrgUnit

# A completion's step, as its column stores it.
RATIO_STEP = Decimal(1).scaleb(-RATIO["decimal_places"])
# An objective's figures that scoring writes, in this order.
TREE_FIGURES = ("completion", "deductions", "points")
# What a night's run writes of each score, in this order (see _snapshot).
SNAPSHOT_FIELDS = (
    "level",
    "assigned_points",
    "objective_points",
    "innovation_points",
    "deduction_points",
    "score",
    "grade",
)
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=4))
SCORED_UNIT_KINDS = {
    OrgUnit.Kind.TOWNSHIP: UnitScore.Level.TOWNSHIP,
    OrgUnit.Kind.VILLAGE: UnitScore.Level.VILLAGE,
    OrgUnit.Kind.DEPARTMENT: UnitScore.Level.DEPARTMENT,
    OrgUnit.Kind.COUNTY: UnitScore.Level.COUNTY,
    OrgUnit.Kind.PREFECTURE: UnitScore.Level.PREFECTURE,
}


def score_objectives(plan):
    """Every objective's completion, deductions and points: a leaf's from its latest approved
    report (points = weight × capped completion − late-report deductions, a share of the
    weight each, never below zero), a parent's from its parts, the deepest first (the sums of
    their points and deductions, their weight-averaged completion).

    Worked out in Python from one read, each figure rounded as its column stores it, and only
    the objectives whose figures moved are written: a province's quiet night rewrites none of
    its hundreds of thousands of objectives. Returns how many were written."""
    objectives = {row.pk: row for row in _objective_rows(plan)}
    parts = defaultdict(list)
    for objective in objectives.values():
        if objective.parent in objectives:
            parts[objective.parent].append(objective.pk)
    figures, leaves = {}, {}
    for objective in sorted(objectives.values(), key=attrgetter("depth"), reverse=True):
        if objective.pk in parts:
            figures[objective.pk] = _parent_figures(
                [(objectives[part].weight, figures[part]) for part in parts[objective.pk]]
            )
            continue
        # Most leaves share their weight and reports with many others (a county's villages).
        key = (objective.weight, objective.reported, objective.late)
        if key not in leaves:
            leaves[key] = _leaf_figures(plan, *key)
        figures[objective.pk] = leaves[key]
    return update_rows(
        Objective,
        TREE_FIGURES,
        (
            (pk, *moved)
            for pk, moved in figures.items()
            if (objectives[pk].completion, objectives[pk].deductions, objectives[pk].points)
            != moved
        ),
        changed=TREE_FIGURES,
    )


class _ObjectiveRow(NamedTuple):
    pk: int
    parent: int | None
    depth: int
    weight: Decimal
    # The completion of its latest approved report, and how many of its reports came late.
    reported: Decimal | None
    late: int
    # As stored (TREE_FIGURES).
    completion: Decimal | None
    deductions: Decimal
    points: Decimal | None


def _objective_rows(plan):
    """The plan's objectives with their reports' figures, each objective's reports read in
    one index scan (the ORM's two subqueries, one per figure, took twice as long)."""
    objective, report = Objective._meta.db_table, ProgressReport._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT objective.id, objective.parent_id, objective.depth, objective.weight,
                reports.reported, reports.late,
                objective.completion, objective.deductions, objective.points
            FROM {objective} AS objective
            CROSS JOIN LATERAL (
                SELECT
                    (array_agg(report.completion ORDER BY report.cycle_end DESC)
                        FILTER (WHERE report.status = %s))[1] AS reported,
                    count(*) FILTER (WHERE report.is_late) AS late
                FROM {report} AS report
                WHERE report.objective_id = objective.id
            ) AS reports
            WHERE objective.plan_id = %s
            """,
            [ProgressReport.Status.APPROVED, plan.pk],
        )
        return [_ObjectiveRow._make(row) for row in cursor.fetchall()]


def _leaf_figures(plan, weight, reported, late):
    """``TREE_FIGURES`` of a leaf of ``weight``, as its columns store them."""
    deductions = min(weight, weight * late * plan.late_report_deduction)
    earned = weight * min(reported or 0, plan.completion_cap)
    return reported, rounded(deductions), rounded(max(Decimal(0), earned - deductions))


def _parent_figures(parts):
    """``TREE_FIGURES`` of a parent from its parts' ``(weight, figures)``."""
    assigned = sum(weight for weight, _figures in parts)
    completion = sum(weight * (figures[0] or 0) for weight, figures in parts) / assigned
    return (
        rounded(completion, RATIO_STEP),
        sum(figures[1] for _weight, figures in parts),
        sum(figures[2] for _weight, figures in parts),
    )


def _innovation_totals(plan):
    """Awarded innovation points per unit (claims without a person) and per person."""
    awarded = plan.innovation_items.filter(status=InnovationItem.Status.AWARDED)
    by_unit = dict(
        awarded.filter(person__isnull=True)
        .values("unit")
        .annotate(total=Sum("awarded_points"))
        .values_list("unit", "total")
    )
    by_person = dict(
        awarded.filter(person__isnull=False)
        .values("person")
        .annotate(total=Sum("awarded_points"))
        .values_list("person", "total")
    )
    return by_unit, by_person


def grade_of(plan, score):
    if score >= plan.excellent_from:
        return UnitScore.Grade.EXCELLENT
    if score >= plan.good_from:
        return UnitScore.Grade.GOOD
    if score >= plan.pass_from:
        return UnitScore.Grade.PASS
    return UnitScore.Grade.FAIL


def score_units(plan, now):
    """One snapshot row per scored unit and per person: the objectives handed to them, on a
    100-point scale, plus awarded innovation points up to the plan's cap."""
    # The plan's own unit sets the plan and is not scored by it (a prefecture's plan scores
    # its counties, not the prefecture).
    unit_rows = (
        plan.objectives.filter(
            assignee_person__isnull=True, assignee_unit__kind__in=list(SCORED_UNIT_KINDS)
        )
        .exclude(assignee_unit=plan.unit_id)
        .values("assignee_unit", "assignee_unit__kind")
        .annotate(
            assigned=Sum("weight"),
            earned=Sum(Coalesce("points", ZERO)),
            deducted=Sum("deductions"),
        )
    )
    person_rows = (
        plan.objectives.filter(assignee_person__isnull=False)
        .values("assignee_person", "assignee_unit")
        .annotate(
            assigned=Sum("weight"),
            earned=Sum(Coalesce("points", ZERO)),
            deducted=Sum("deductions"),
        )
    )
    innovation_by_unit, innovation_by_person = _innovation_totals(plan)
    # A frozen score is final: no run, nightly or by hand, writes over it or deletes it.
    frozen = set(plan.scores.filter(frozen=True).order_by().values_list("unit", "person"))
    snapshots = [
        _snapshot(
            plan,
            row,
            unit_id=row["assignee_unit"],
            person_id=None,
            level=SCORED_UNIT_KINDS[row["assignee_unit__kind"]],
            innovation=innovation_by_unit.get(row["assignee_unit"], 0),
        )
        for row in unit_rows
    ] + [
        _snapshot(
            plan,
            row,
            unit_id=row["assignee_unit"],
            person_id=row["assignee_person"],
            level=UnitScore.Level.PERSON,
            innovation=innovation_by_person.get(row["assignee_person"], 0),
        )
        for row in person_rows
    ]
    # Rewritten in place on (plan, unit, person): a rescored row keeps its id and its rank
    # until rank_scores moves it.
    upsert_rows(
        UnitScore,
        (
            "plan",
            "unit",
            "person",
            *SNAPSHOT_FIELDS,
            "computed_at",
            "frozen",
            "created_at",
            "updated_at",
        ),
        (
            (plan.pk, unit_id, person_id, *figures, now, False, now, now)
            for unit_id, person_id, *figures in snapshots
            if (unit_id, person_id) not in frozen
        ),
        unique_fields=("plan", "unit", "person"),
        update_fields=(*SNAPSHOT_FIELDS, "computed_at", "updated_at"),
    )
    # Units whose objectives were removed since the last run keep no stale score.
    plan.scores.filter(computed_at__lt=now, frozen=False).delete()


def _snapshot(plan, row, *, unit_id, person_id, level, innovation):
    """``(unit, person, *SNAPSHOT_FIELDS)`` of one scored unit or person."""
    assigned = row["assigned"] or Decimal(0)
    on_objectives = (row["earned"] / assigned * 100) if assigned else Decimal(0)
    innovation = min(Decimal(innovation), plan.innovation_cap)
    score = (on_objectives + innovation).quantize(CENT)
    return (
        unit_id,
        person_id,
        level,
        assigned,
        row["earned"].quantize(CENT),
        innovation,
        row["deducted"] or Decimal(0),
        score,
        grade_of(plan, score),
    )


def rank_scores(plan):
    """Rank within each level: townships among townships, villages among villages, persons.
    Frozen rows keep the rank they were frozen with; only the ranks that moved are written."""
    # Ranked among all the plan's scores, frozen ones included, then the frozen left out.
    ranked = (
        plan.scores.annotate(
            position=Window(Rank(), partition_by=[F("level")], order_by=F("score").desc())
        )
        .order_by()
        .values_list("pk", "position", "frozen")
    )
    update_rows(
        UnitScore,
        ("rank",),
        ((pk, position) for pk, position, frozen in ranked if not frozen),
        changed=("rank",),
    )


def is_scorable(plan):
    """Only a published plan of an open period is (re)scored: a closed plan, or any plan of a
    closed period, keeps the frozen scores it was closed with."""
    return plan.status == ObjectivePlan.Status.PUBLISHED and not plan.period.is_closed


@transaction.atomic
def score_plan(plan):
    """Score one plan end to end. Returns False, touching nothing, when the plan is not
    scorable (a draft, a closed plan, a plan of a closed period): frozen scores stay frozen."""
    plan = (
        ObjectivePlan.objects.select_for_update(of=("self",))
        .select_related("period")
        .get(pk=plan.pk)
    )
    if not is_scorable(plan):
        return False
    now = timezone.now()
    score_objectives(plan)
    score_units(plan, now)
    rank_scores(plan)
    return True


def plans_to_score():
    """Published plans of open periods: what the nightly job scores."""
    return ObjectivePlan.objects.filter(
        status=ObjectivePlan.Status.PUBLISHED, period__is_closed=False
    ).values_list("pk", flat=True)


def on_unit_scale(values, assigned):
    """``values`` (points of the plan's scale) as shares of a unit's 100 points, to the cent,
    rounded so that they add up exactly to their rounded total (largest remainder first): a
    village's 0.013 of 0.13 assigned points reads 10.00, and the rows add up to the total."""
    if not assigned:
        return [Decimal(0) for _value in values]
    raw = [Decimal(value or 0) * 100 / assigned for value in values]
    total = sum(raw, Decimal(0)).quantize(CENT)
    parts = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in raw]
    leftover = int((total - sum(parts, Decimal(0))) / CENT)
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for index in by_remainder[:leftover]:
        parts[index] += CENT
    return parts


def breakdown(score):
    """The records behind a score: the objectives it sums, the innovation items it adds and
    the late reports deducted inside those objectives, each also read on the unit's own
    100-point scale (``weight_share``, ``points_share``, ``deduction_share``).

    A late report costs its leaf objective's deduction split evenly over that leaf's late
    reports, so the reports listed add up to the deductions shown."""
    plan = score.plan
    if score.person_id:
        objectives = plan.objectives.filter(assignee_person=score.person_id)
        items = plan.innovation_items.filter(person=score.person_id)
    else:
        objectives = plan.objectives.filter(
            assignee_unit=score.unit_id, assignee_person__isnull=True
        )
        items = plan.innovation_items.filter(unit=score.unit_id, person__isnull=True)
    objectives = list(objectives.order_by("category", "pk"))
    late_reports = _late_reports_under(plan, objectives)
    assigned = score.assigned_points
    for field, values in (
        ("weight_share", [objective.weight for objective in objectives]),
        ("points_share", [objective.points for objective in objectives]),
        ("deduction_share", [objective.deductions for objective in objectives]),
    ):
        for objective, share in zip(objectives, on_unit_scale(values, assigned), strict=True):
            setattr(objective, field, share)
    costs = [report.leaf_deductions / report.late_in_leaf for report in late_reports]
    for report, cost, share in zip(
        late_reports, costs, on_unit_scale(costs, assigned), strict=True
    ):
        report.deduction_points = cost
        report.deduction_share = share
    return {
        "objectives": objectives,
        "innovation_items": list(
            items.filter(status=InnovationItem.Status.AWARDED).order_by("-awarded_points")
        ),
        "late_reports": late_reports,
        "deduction_share": sum((report.deduction_share for report in late_reports), Decimal(0)),
    }


def _late_reports_under(plan, objectives):
    """Late reports on the leaves below (or equal to) ``objectives``, with their leaf's
    deductions and its number of late reports, in one query."""
    if not objectives:
        return []
    ids = [objective.pk for objective in objectives]
    deepest = plan.objectives.aggregate(depth=Max("depth"))["depth"] or 0
    under = Q()
    for generations in range(deepest + 1):
        under |= Q(**{"objective" + "__parent" * generations + "__in": ids})
    return list(
        ProgressReport.objects.filter(under, objective__plan=plan, is_late=True)
        .select_related("objective__assignee_unit")
        .annotate(
            leaf_deductions=F("objective__deductions"),
            late_in_leaf=Window(Count("pk"), partition_by=[F("objective")]),
        )
        .order_by("cycle_end", "pk")
    )


def unit_scores(period, unit_ids):
    """For assessment (apps/assessment/sources.py): each unit's own score snapshot in the plans
    of ``period``, in one query: ``{unit_id: {"score", "assigned", "url"}}``."""
    rows = UnitScore.objects.filter(
        plan__period=period, unit_id__in=unit_ids, person=None
    ).values_list("pk", "unit_id", "score", "assigned_points", "innovation_points")
    return {
        unit_id: {
            "score": score,
            "assigned": assigned,
            "innovation": innovation,
            "url": reverse("objectives:score-detail", args=[pk]),
        }
        for pk, unit_id, score, assigned, innovation in rows
    }
