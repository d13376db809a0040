"""Demo objective plan: the county's 40 indicators decomposed to every township and village,
progress reports for every cycle due before today (with late, missing, returned and pending
ones), innovation items, and scores computed by the real engine. Beside it, last year's
assessment, closed by the real services: a compact plan for the townships, every cycle
reported and approved, scores frozen and ranked, rewards proposed and some confirmed, so the
leader has rewards to approve and the county staff proposals to confirm.

Built once: when the plan already has objectives nothing is rebuilt, so seed_demo stays
idempotent. Random choices use a fixed seed, so every demo county looks the same.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils import timezone

from apps.objectives.demo_indicators import CATEGORIES, INDICATORS, INNOVATION_ITEMS
from apps.objectives.models import (
    InnovationItem,
    Objective,
    ObjectivePlan,
    ProgressReport,
    Reward,
)
from apps.objectives.services.progress import cycle_ends, report_due
from apps.objectives.services.rewards import (
    award_innovation,
    claim_innovation,
    close_period,
    confirm_reward,
)
from apps.objectives.services.scoring import score_plan
from apps.organizations.models import Period

CENT = Decimal("0.01")


def split_weight(total, shares):
    """Split ``total`` points in proportion to ``shares``, to the cent, summing exactly."""
    total, whole = Decimal(str(total)), sum(shares)
    raw = [total * share / whole for share in shares]
    parts = [value.quantize(CENT, rounding=ROUND_FLOOR) for value in raw]
    leftover = int((total - sum(parts)) / CENT)
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for index in by_remainder[:leftover]:
        parts[index] += CENT
    return parts


def split_target(indicator, target, shares):
    """Parts of an additive target cover the whole (or stay within it when lower is better);
    a rate is the same for every part."""
    if not indicator.get("additive"):
        return [Decimal(str(target))] * len(shares)
    rounding = ROUND_FLOOR if indicator["direction"] == "lower" else ROUND_CEILING
    whole = sum(shares)
    return [
        (Decimal(str(target)) * share / whole).quantize(Decimal(1), rounding=rounding) or Decimal(1)
        for share in shares
    ]


def seed_objectives(context, log=print):
    period, county = context["year_period"], context["county"]
    plan, _created = ObjectivePlan.objects.get_or_create(
        period=period,
        unit=county,
        defaults={
            "title": f"{period.name}县妇联目标管理责任书",
            "status": ObjectivePlan.Status.PUBLISHED,
            "published_at": timezone.make_aware(datetime.combine(period.start_date, time(9))),
        },
    )
    context["plan"] = plan
    if plan.objectives.exists():
        log(f"Objective plan: {plan} already built.")
        return
    villages_of = defaultdict(list)
    for village in context["villages"]:
        villages_of[village.parent_id].append(village)
    leaves = _build_tree(plan, county, context["townships"], villages_of)
    demo_village = context["users"]["village"].primary_membership.unit_id
    reports = _build_reports(plan, leaves, context["chairs"], demo_village)
    items = _build_innovation(plan, context)
    score_plan(plan)
    log(
        f"Objective plan: {plan.objectives.count()} objectives, {reports} progress reports, "
        f"{items} innovation items, {plan.scores.count()} scores."
    )


def _objective(plan, indicator, *, parent, unit, weight, target, depth):
    due = date(plan.period.start_date.year, indicator["due_month"], 1)
    due = (due.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return Objective(
        plan=plan,
        parent=parent,
        depth=depth,
        category=indicator["category"],
        title=indicator["title"],
        kind=indicator["kind"],
        measure_unit=indicator.get("unit", ""),
        baseline=indicator.get("baseline"),
        target=target,
        direction=indicator.get("direction", "higher"),
        additive=indicator.get("additive", False),
        rubric=[
            {"label": label, "completion": share} for label, share in indicator.get("rubric", [])
        ],
        weight=weight,
        due_date=due,
        assignee_unit=unit,
        published_at=plan.published_at,
    )


def _build_tree(plan, county, townships, villages_of):
    """County → township → village for every indicator, in three bulk inserts."""
    roots = Objective.objects.bulk_create(
        [
            _objective(
                plan,
                indicator,
                parent=None,
                unit=county,
                weight=Decimal(str(indicator["weight"])),
                target=_target(indicator),
                depth=0,
            )
            for indicator in INDICATORS
        ]
    )
    sizes = [len(villages_of[township.pk]) for township in townships]
    township_parts = _township_parts(plan, INDICATORS, roots, townships, sizes)
    village_parts = []
    by_title = {indicator["title"]: indicator for indicator in INDICATORS}
    for part in township_parts:
        indicator, villages = by_title[part.title], villages_of[part.assignee_unit_id]
        if indicator.get("direction") == "lower":
            # Incidents to keep down are counted per township: a village share would round
            # to zero, and a zero target is not a target.
            continue
        weights = split_weight(part.weight, [1] * len(villages))
        targets = (
            split_target(indicator, part.target, [1] * len(villages))
            if part.target
            else [None] * len(villages)
        )
        village_parts += [
            _objective(
                plan, indicator, parent=part, unit=village, weight=weight, target=target, depth=2
            )
            for village, weight, target in zip(villages, weights, targets, strict=True)
        ]
    village_parts = Objective.objects.bulk_create(village_parts, batch_size=2000)
    split = {part.parent_id for part in village_parts}
    return village_parts + [part for part in township_parts if part.pk not in split]


def _target(indicator):
    return Decimal(str(indicator["target"])) if "target" in indicator else None


# How the latest due cycle of a leaf stands, in percent: most approved, some awaiting review,
# a few returned for more evidence, a few not reported yet.
LATEST_STATUS = {"approved": 82, "submitted": 11, "returned": 4, "missing": 3}
LATE_SHARE = 0.05


def _unit_pace(rng):
    """How fast a unit works against the even pace: most on pace or ahead, some a little
    behind, a few well behind, so the lights are mostly green, some yellow and a few red."""
    band = rng.choices(["ahead", "behind", "far_behind"], weights=[76, 19, 5])[0]
    low, high = {"ahead": (1.0, 1.25), "behind": (0.85, 1.0), "far_behind": (0.55, 0.85)}[band]
    return rng.uniform(low, high)


def _build_reports(plan, leaves, chairs, demo_village=None):
    """Every cycle due before today is reported, with the spread of a real county: the
    latest cycle of each leaf is approved, awaiting review, returned or still missing
    (LATEST_STATUS), earlier ones approved; some reports came in late. Relative to today and
    seeded, so the same date gives the same county. The demo village account gets two
    returned reports and one missing, so her to-do list is never empty."""
    rng = random.Random(2026)
    today = timezone.localdate()
    pace = {
        unit_id: _unit_pace(rng) for unit_id in sorted({leaf.assignee_unit_id for leaf in leaves})
    }
    forced = iter(["returned", "returned", "missing"])
    reports = []
    for leaf in leaves:
        all_cycles = cycle_ends(leaf)
        due = [cycle for cycle in all_cycles if report_due(leaf, cycle) < today]
        if not due:
            continue
        latest = rng.choices(list(LATEST_STATUS), weights=list(LATEST_STATUS.values()))[0]
        if leaf.assignee_unit_id == demo_village:
            latest = next(forced, latest)
        if latest == "missing":
            due = due[:-1]
        reviewer = chairs[leaf.parent.assignee_unit_id]
        for number, cycle in enumerate(due, start=1):
            share = pace[leaf.assignee_unit_id] * number / len(all_cycles)
            status = latest if number == len(due) and latest != "missing" else "approved"
            reports.append(
                _report(
                    leaf,
                    cycle,
                    min(Decimal(str(share)), Decimal("1.3")),
                    chairs[leaf.assignee_unit_id],
                    reviewer,
                    rng,
                    status=status,
                    today=today,
                )
            )
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    return len(reports)


def _report(leaf, cycle, share, submitter, reviewer, rng, status, today):
    if leaf.kind == Objective.Kind.MILESTONE:
        reached = [(label, Decimal(str(c))) for label, c in leaf.rubric_levels if c <= share] or [
            leaf.rubric_levels[0]
        ]
        level, completion, value = reached[-1][0], reached[-1][1], None
    else:
        value = (leaf.target * share).quantize(CENT)
        if leaf.direction == Objective.Direction.LOWER:
            value = (leaf.target / share).quantize(CENT) if share else leaf.target * 2
        level = ""
        completion = (
            value / leaf.target if leaf.direction == "higher" else leaf.target / value
        ).quantize(Decimal("0.0001"))
    deadline = report_due(leaf, cycle)
    # Late means filed after the deadline, which must lie before today to have happened.
    late = rng.random() < LATE_SHARE and (today - deadline).days > 1
    filed_on = (
        deadline + timedelta(days=rng.randint(1, min(10, (today - deadline).days - 1)))
        if late
        else cycle + timedelta(days=rng.randint(1, leaf.plan.report_grace_days))
    )
    submitted = timezone.make_aware(datetime.combine(filed_on, time(10)))
    reviewed = status != ProgressReport.Status.SUBMITTED
    reviewed_at = min(submitted + timedelta(days=2), timezone.now()) if reviewed else None
    return ProgressReport(
        objective=leaf,
        cycle_end=cycle,
        value=value,
        rubric_level=level,
        completion=completion,
        narrative=f"截至{cycle:%m月%d日}，{leaf.title}按计划推进。",
        status=status,
        is_late=late,
        submitted_by=submitter,
        submitted_at=submitted,
        reviewed_by=reviewer if reviewed else None,
        reviewed_at=reviewed_at,
        review_comment="请补充活动照片和签到表。"
        if status == ProgressReport.Status.RETURNED
        else "",
    )


def _build_innovation(plan, context):
    rng = random.Random(7)
    units = context["townships"] + rng.sample(context["villages"], 6)
    items = []
    for index, (title, description, points) in enumerate(INNOVATION_ITEMS):
        unit = units[index % len(units)]
        awarded = index < 8
        points = Decimal(str(points))
        items.append(
            InnovationItem(
                plan=plan,
                unit=unit,
                title=title,
                description=description,
                claimed_points=points,
                awarded_points=points if awarded else Decimal(0),
                status=InnovationItem.Status.AWARDED if awarded else InnovationItem.Status.CLAIMED,
                claimed_by=context["chairs"][unit.pk],
                reviewed_by=context["users"]["admin"] if awarded else None,
                reviewed_at=timezone.now() if awarded else None,
            )
        )
    InnovationItem.objects.bulk_create(items)
    return len(items)


# Last year's plan: the first two indicators of each category that count upwards, handed to
# every township (not to the villages, to keep it small); five advanced collectives.
LAST_YEAR_PER_CATEGORY = 2
LAST_YEAR_COLLECTIVE_AWARDS = 5
# Of the proposals made at the close, the county staff have confirmed this many, so they await
# the leader's approval; the rest still await the county staff.
LAST_YEAR_CONFIRMED = 3
LAST_YEAR_INNOVATION = (
    "“巾帼调解室”进村入户",
    "在乡镇综治中心设立巾帼调解室，由妇联执委和法律明白人轮值，全年调处婚姻家庭纠纷。",
    Decimal(3),
)


def last_year_indicators():
    chosen = []
    for category in CATEGORIES:
        upwards = [
            indicator
            for indicator in INDICATORS
            if indicator["category"] == category and indicator.get("direction") != "lower"
        ]
        chosen += upwards[:LAST_YEAR_PER_CATEGORY]
    return chosen


def seed_last_year(context, log=print):
    """Last year's assessment, closed: built through the real services once, then left as it
    is (a closed period is never rebuilt)."""
    year = context["year_period"].start_date.year - 1
    period, _created = Period.objects.get_or_create(
        name=f"{year}年度",
        defaults={
            "kind": Period.Kind.YEAR,
            "start_date": date(year, 1, 1),
            "end_date": date(year, 12, 31),
        },
    )
    context["last_year_period"] = period
    if period.is_closed:
        log(f"Last year's assessment: {period} already closed.")
        return
    county, admin = context["county"], context["users"]["admin"]
    plan, created = ObjectivePlan.objects.get_or_create(
        period=period,
        unit=county,
        defaults={
            "title": f"{period.name}县妇联目标管理责任书",
            "status": ObjectivePlan.Status.PUBLISHED,
            "published_at": timezone.make_aware(datetime.combine(period.start_date, time(9))),
            "collective_awards": LAST_YEAR_COLLECTIVE_AWARDS,
        },
    )
    context["last_year_plan"] = plan
    if not created:
        # E.g. the demo built a year ago, whose plan was then this year's: it is not rebuilt.
        log(f"Last year's assessment: {plan} already exists; left as it is.")
        return
    leaves = _build_last_year_tree(plan, county, context["townships"], context["villages"])
    reports = _build_last_year_reports(plan, leaves, context["chairs"])
    _award_last_year_innovation(plan, context)
    close_period(admin, period)
    # The county staff have confirmed the innovation award and the best collectives (proposed
    # in rank order); the other collectives still await them.
    proposed = list(plan.rewards.filter(status=Reward.Status.PROPOSED).order_by("pk"))
    proposed.sort(key=lambda reward: reward.kind != Reward.Kind.INNOVATION)
    for reward in proposed[:LAST_YEAR_CONFIRMED]:
        confirm_reward(admin, reward)
    log(
        f"Last year's assessment: {period} closed, {len(leaves)} township objectives, "
        f"{reports} reports, {plan.scores.count()} frozen scores, "
        f"{plan.rewards.filter(status=Reward.Status.CONFIRMED).count()} rewards awaiting "
        f"approval, {plan.rewards.filter(status=Reward.Status.PROPOSED).count()} to confirm."
    )


def _build_last_year_tree(plan, county, townships, villages):
    """County → township for the chosen indicators, in two bulk inserts; weights on 100."""
    indicators = last_year_indicators()
    root_weights = split_weight(100, [indicator["weight"] for indicator in indicators])
    roots = Objective.objects.bulk_create(
        [
            _objective(
                plan,
                indicator,
                parent=None,
                unit=county,
                weight=weight,
                target=_target(indicator),
                depth=0,
            )
            for indicator, weight in zip(indicators, root_weights, strict=True)
        ]
    )
    village_count = defaultdict(int)
    for village in villages:
        village_count[village.parent_id] += 1
    sizes = [village_count[township.pk] for township in townships]
    return _township_parts(plan, indicators, roots, townships, sizes)


def _township_parts(plan, indicators, roots, townships, sizes):
    """Each root objective shared among the townships in proportion to ``sizes`` (their
    village counts), saved in one insert."""
    parts = []
    for indicator, root in zip(indicators, roots, strict=True):
        weights = split_weight(root.weight, sizes)
        targets = (
            split_target(indicator, root.target, sizes) if root.target else [None] * len(sizes)
        )
        parts += [
            _objective(
                plan, indicator, parent=root, unit=township, weight=weight, target=target, depth=1
            )
            for township, weight, target in zip(townships, weights, targets, strict=True)
        ]
    return Objective.objects.bulk_create(parts)


def _build_last_year_reports(plan, leaves, chairs):
    """Every cycle of last year reported and approved by the county, a few of them late; each
    township ended the year at its own pace, most of them on target or beyond."""
    rng = random.Random(plan.period.start_date.year)
    today = timezone.localdate()
    townships = sorted({leaf.assignee_unit_id for leaf in leaves})
    pace = {unit_id: rng.uniform(0.85, 1.1) for unit_id in townships}
    reports = []
    for leaf in leaves:
        cycles = cycle_ends(leaf)
        for number, cycle in enumerate(cycles, start=1):
            share = Decimal(str(pace[leaf.assignee_unit_id] * number / len(cycles)))
            reports.append(
                _report(
                    leaf,
                    cycle,
                    share,
                    chairs[leaf.assignee_unit_id],
                    chairs[plan.unit_id],
                    rng,
                    status=ProgressReport.Status.APPROVED,
                    today=today,
                )
            )
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    return len(reports)


def _award_last_year_innovation(plan, context):
    """One township claimed an innovative practice and the county awarded it in full."""
    township = context["townships"][2]
    title, description, points = LAST_YEAR_INNOVATION
    item = claim_innovation(
        context["chairs"][township.pk],
        plan,
        unit=township,
        title=title,
        description=description,
        claimed_points=points,
    )
    award_innovation(context["users"]["admin"], item, points=points)
