"""考核: scoring a plan in a few set-based statements.

Run nightly and on demand. Every step overwrites what it computes from the records (reports,
awards), so running it twice, or again after a worker died halfway (the transaction rolled
back), gives the same numbers.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least, Rank
from django.utils import timezone

from apps.objectives.models import (
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    UnitScore,
)
from apps.organizations.models import OrgUnit

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=4))
SCORED_UNIT_KINDS = {
    OrgUnit.Kind.TOWNSHIP: UnitScore.Level.TOWNSHIP,
    OrgUnit.Kind.VILLAGE: UnitScore.Level.VILLAGE,
    OrgUnit.Kind.DEPARTMENT: UnitScore.Level.DEPARTMENT,
}


def _decimal(value):
    return Value(Decimal(value), output_field=DecimalField(max_digits=14, decimal_places=4))


def score_leaves(plan):
    """Leaf completion from its latest approved report; points = weight × capped completion
    − late-report deductions (a share of the weight each; never below zero)."""
    latest = (
        ProgressReport.objects.filter(
            objective=OuterRef("pk"), status=ProgressReport.Status.APPROVED
        )
        .order_by("-cycle_end")
        .values("completion")[:1]
    )
    late = (
        ProgressReport.objects.filter(objective=OuterRef("pk"), is_late=True)
        .values("objective")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # Each late report costs a share of the objective's own weight, whatever its size.
    deductions = Least(
        F("weight"),
        F("weight") * Coalesce(Subquery(late), 0) * _decimal(plan.late_report_deduction),
    )
    plan.objectives.filter(children__isnull=True).update(
        completion=Subquery(latest),
        deductions=deductions,
        points=Greatest(
            ZERO,
            F("weight") * Least(Coalesce(Subquery(latest), ZERO), _decimal(plan.completion_cap))
            - deductions,
        ),
    )


def roll_up_points(plan):
    """Each parent, from the deepest level up: the sum of its parts' points and deductions,
    and their weight-averaged completion."""
    deepest = plan.objectives.aggregate(depth=Max("depth"))["depth"] or 0
    for depth in range(deepest - 1, -1, -1):
        parts = Objective.objects.filter(parent=OuterRef("pk")).values("parent")
        plan.objectives.filter(depth=depth, children__isnull=False).update(
            points=Subquery(parts.annotate(total=Sum("points")).values("total")),
            deductions=Subquery(parts.annotate(total=Sum("deductions")).values("total")),
            completion=Subquery(
                parts.annotate(
                    average=Sum(F("weight") * Coalesce("completion", ZERO)) / Sum("weight")
                ).values("average")
            ),
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


def _grade(plan, score):
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
    unit_rows = (
        plan.objectives.filter(
            assignee_person__isnull=True, assignee_unit__kind__in=list(SCORED_UNIT_KINDS)
        )
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
    snapshots = [
        _snapshot(
            plan,
            now,
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
            now,
            row,
            unit_id=row["assignee_unit"],
            person_id=row["assignee_person"],
            level=UnitScore.Level.PERSON,
            innovation=innovation_by_person.get(row["assignee_person"], 0),
        )
        for row in person_rows
    ]
    UnitScore.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["plan", "unit", "person"],
        update_fields=[
            "level",
            "assigned_points",
            "objective_points",
            "innovation_points",
            "deduction_points",
            "score",
            "grade",
            "computed_at",
            "updated_at",
        ],
    )
    # Units whose objectives were removed since the last run keep no stale score.
    plan.scores.filter(computed_at__lt=now).delete()


def _snapshot(plan, now, row, *, unit_id, person_id, level, innovation):
    assigned = row["assigned"] or Decimal(0)
    on_objectives = (row["earned"] / assigned * 100) if assigned else Decimal(0)
    innovation = min(Decimal(innovation), plan.innovation_cap)
    score = (on_objectives + innovation).quantize(Decimal("0.01"))
    return UnitScore(
        plan=plan,
        unit_id=unit_id,
        person_id=person_id,
        level=level,
        assigned_points=assigned,
        objective_points=row["earned"].quantize(Decimal("0.01")),
        innovation_points=innovation,
        deduction_points=row["deducted"] or Decimal(0),
        score=score,
        grade=_grade(plan, score),
        computed_at=now,
        created_at=now,
        updated_at=now,
    )


def rank_scores(plan):
    """Rank within each level: townships among townships, villages among villages, persons."""
    ranked = plan.scores.annotate(
        position=Window(Rank(), partition_by=[F("level")], order_by=F("score").desc())
    ).values_list("pk", "position")
    UnitScore.objects.bulk_update(
        [UnitScore(pk=pk, rank=position) for pk, position in ranked], ["rank"], batch_size=1000
    )


@transaction.atomic
def score_plan(plan):
    """Score one plan end to end. A closed plan's scores are frozen and left alone."""
    plan = ObjectivePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != ObjectivePlan.Status.PUBLISHED:
        return False
    now = timezone.now()
    score_leaves(plan)
    roll_up_points(plan)
    score_units(plan, now)
    rank_scores(plan)
    return True


def plans_to_score():
    """Published plans of open periods: what the nightly job scores."""
    return ObjectivePlan.objects.filter(
        status=ObjectivePlan.Status.PUBLISHED, period__is_closed=False
    ).values_list("pk", flat=True)


def breakdown(score):
    """The records behind a score: the objectives it sums, the innovation items it adds and
    the late reports deducted inside those objectives."""
    plan = score.plan
    if score.person_id:
        objectives = plan.objectives.filter(assignee_person=score.person_id)
        late = Q(objective__assignee_person=score.person_id)
        items = plan.innovation_items.filter(person=score.person_id)
    else:
        objectives = plan.objectives.filter(
            assignee_unit=score.unit_id, assignee_person__isnull=True
        )
        late = Q(objective__assignee_unit__path__startswith=score.unit.path)
        items = plan.innovation_items.filter(unit=score.unit_id, person__isnull=True)
    return {
        "objectives": list(objectives.order_by("category", "pk")),
        "innovation_items": list(
            items.filter(status=InnovationItem.Status.AWARDED).order_by("-awarded_points")
        ),
        "late_reports": list(
            ProgressReport.objects.filter(late, objective__plan=plan, is_late=True)
            .select_related("objective__assignee_unit")
            .order_by("cycle_end")
        ),
    }
