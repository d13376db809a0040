"""考核 workflows: saving a scheme (validated as one document), entering hand scores, the
scoring engine, and approving and publishing a round. Views, API, tasks and commands call only
these."""

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.assessment import sources
from apps.assessment.models import (
    ROUND_ORDER,
    AssessmentLine,
    AssessmentResult,
    AssessmentScheme,
    Indicator,
    Level,
    ManualScore,
    ManualVeto,
    Round,
    SchemePart,
    ScoreEvidence,
)
from apps.assessment.signals import results_changed
from apps.core.bulk import collector_paused, update_rows, upsert_rows
from apps.core.decimals import rounded
from apps.core.permissions import WORKING_ROLES, works_in
from apps.core.querysets import covers
from apps.core.roles import Role
from apps.core.uploads import check_uploads
from apps.liaison.services.representatives import representatives_in
from apps.organizations.models import OrgUnit

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Targets one scoring task takes on; a scheme with more is scored in parts by several tasks
# (one per unit under its owner), then ranked in one step.
SCORING_PART = 5000
UNIT_KINDS = {
    Level.TOWNSHIP: OrgUnit.Kind.TOWNSHIP,
    Level.DEPARTMENT: OrgUnit.Kind.DEPARTMENT,
    Level.COUNTY: OrgUnit.Kind.COUNTY,
    Level.PREFECTURE: OrgUnit.Kind.PREFECTURE,
}


def _shown(value):
    """A number as a person writes it: 30, 12.5 (never 3E+1)."""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _county_unit(user):
    for membership in user.active_memberships:
        if membership.role == Role.COUNTY_ADMIN:
            return membership.unit
    return None


def may_run(user, scheme):
    """County federation staff over the scheme's owner unit run its assessment."""
    return user.is_authenticated and (
        user.is_superuser or (user.has_role(Role.COUNTY_ADMIN) and covers(user, scheme.unit))
    )


# ---------------------------------------------------------------- schemes


@transaction.atomic
def save_scheme(
    user,
    scheme=None,
    *,
    title,
    period,
    level,
    parts=(),
    indicators=(),
    bonus_cap=0,
    base_points=0,
    result_rule=None,
    vetoes=None,
):
    """Create or replace a scheme with its parts and indicator tree, all or nothing."""
    unit = scheme.unit if scheme else _county_unit(user)
    if unit is None or not (user.is_superuser or user.has_role(Role.COUNTY_ADMIN)):
        raise PermissionDenied(_("Only county federation staff keep assessment schemes."))
    if scheme and not may_run(user, scheme):
        raise PermissionDenied(_("Only county federation staff keep assessment schemes."))
    if scheme and scheme.results.exclude(approved_at=None).exists():
        raise ValidationError(
            {"indicators": _("Results of this scheme are approved; it can no longer change.")}
        )
    result_rule = result_rule or {}
    vetoes = vetoes or []
    errors = {}
    part_names = _check_parts(parts, errors)
    _check_tree(indicators, part_names, errors, base=_number(base_points) or ZERO, level=level)
    _check_result_rule(result_rule, errors)
    _check_vetoes(vetoes, errors, level)
    for name, value in (("bonus_cap", bonus_cap), ("base_points", base_points)):
        if _number(value) is None or _number(value) < 0:
            errors[name] = _("Enter a number of points of zero or more.")
    if errors:
        raise ValidationError(errors)
    values = {
        "title": title,
        "period": period,
        "level": level,
        "bonus_cap": _number(bonus_cap),
        "base_points": _number(base_points),
        "result_rule": result_rule,
        "vetoes": vetoes,
    }
    if scheme is None:
        scheme = AssessmentScheme(unit=unit, created_by=user)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    scheme.save()
    scheme.results.all().delete()
    scheme.indicators.all().delete()
    scheme.parts.all().delete()
    saved_parts = {
        row["name"]: SchemePart.objects.create(
            scheme=scheme, name=row["name"], weight=_number(row["weight"]), position=position
        )
        for position, row in enumerate(parts)
    }
    counter = iter(range(10_000))
    _save_nodes(scheme, indicators, None, None, saved_parts, counter)
    return scheme


def _check_parts(parts, errors):
    names = []
    total = ZERO
    for row in parts:
        name = str(row.get("name") or "").strip()
        weight = _number(row.get("weight"))
        if not name:
            errors["parts"] = _("Every part needs a name.")
            return names
        if weight is None or weight <= 0:
            errors["parts"] = _("The weight of part “%(name)s” must be a positive percentage.") % {
                "name": name
            }
            return names
        if name in names:
            errors["parts"] = _("Two parts are called “%(name)s”.") % {"name": name}
            return names
        names.append(name)
        total += weight
    if names and total != HUNDRED:
        errors["parts"] = _("The weights of the parts add up to %(total)s%%, not 100%%.") % {
            "total": _shown(total)
        }
    return names


def _check_tree(nodes, part_names, errors, *, base, level):
    messages = []
    if not nodes:
        messages.append(_("A scheme needs at least one indicator."))

    def check(node, inherited_part, depth):
        title = str(node.get("title") or "").strip()
        name = title or _("(untitled)")
        maximum = _number(node.get("max_points"))
        children = node.get("children") or []
        rule = node.get("rule") or {}
        kind = node.get("kind") or ""
        part = node.get("part") or inherited_part
        if not title:
            messages.append(_("Every indicator needs a title."))
        if maximum is None or maximum <= 0:
            messages.append(
                _("Indicator “%(name)s”: its points must be a positive number.") % {"name": name}
            )
            return
        if not isinstance(rule, dict):
            messages.append(_("Indicator “%(name)s”: its rule must be an object.") % {"name": name})
            return
        if depth == 0 and part_names and not part and not rule.get("bonus"):
            messages.append(
                _("Indicator “%(name)s”: name the part it belongs to.") % {"name": name}
            )
        if part and part not in part_names:
            messages.append(
                _("Indicator “%(name)s”: there is no part “%(part)s”.")
                % {"name": name, "part": part}
            )
        if children:
            total = sum((_number(child.get("max_points")) or ZERO for child in children), ZERO)
            if total != maximum and not (rule.get("capped") and total > maximum):
                messages.append(
                    _(
                        "Category “%(name)s” is worth %(max)s points but its items add up to "
                        "%(total)s."
                    )
                    % {"name": name, "max": _shown(maximum), "total": _shown(total)}
                )
            for child in children:
                check(child, part, depth + 1)
            return
        if kind not in Indicator.Kind.values:
            messages.append(_("Indicator “%(name)s”: choose its kind.") % {"name": name})
            return
        source = node.get("source") or ""
        if kind == Indicator.Kind.DATA and not source:
            messages.append(
                _("Indicator “%(name)s”: a data indicator needs a data source.") % {"name": name}
            )
        if source and sources.get(source) is None:
            messages.append(
                _("Indicator “%(name)s”: there is no data source “%(source)s”.")
                % {"name": name, "source": source}
            )
        elif source and not sources.get(source).reports_on(level):
            messages.append(
                _("Indicator “%(name)s”: “%(source)s” has no figures for %(level)s.")
                % {"name": name, "source": sources.get(source).label, "level": _level_label(level)}
            )
        _check_rule(name, kind, maximum, rule, messages)

    for node in nodes:
        check(node, None, 0)
    if messages:
        errors["indicators"] = messages


def _check_rule(name, kind, maximum, rule, messages):
    def bad(message):
        messages.append(_("Indicator “%(name)s”: %(problem)s") % {"name": name, "problem": message})

    if "range" in rule:
        bounds = rule["range"]
        low, high = (
            (_number(bounds[0]), _number(bounds[1]))
            if isinstance(bounds, list) and len(bounds) == 2
            else (None, None)
        )
        if low is None or high is None or low < 0 or low > high or high > maximum:
            bad(_("its range must be two numbers from low to high within its points."))
    if kind == Indicator.Kind.INCIDENT and "range" not in rule:
        per_event = _number(rule.get("per_event"))
        if per_event is None or per_event == 0:
            bad(_("a per-incident rule needs the points each event adds or deducts."))
    if "cap" in rule and (_number(rule["cap"]) is None or _number(rule["cap"]) <= 0):
        bad(_("its cap must be a positive number."))
    multipliers = rule.get("multipliers", {})
    if not isinstance(multipliers, dict) or any(
        _number(value) is None or _number(value) <= 0 for value in multipliers.values()
    ):
        bad(_("its multipliers must be positive numbers by unit kind."))
    if "thresholds" in rule:
        rows = rule["thresholds"]
        if not isinstance(rows, list) or not all(
            isinstance(row, list)
            and len(row) == 2
            and _number(row[0]) is not None
            and _number(row[1]) is not None
            and 0 <= _number(row[1]) <= maximum
            for row in rows
        ):
            bad(_("its thresholds must be pairs of figure and points within its points."))
    if "target" in rule and (_number(rule["target"]) is None or _number(rule["target"]) <= 0):
        bad(_("its target must be a positive number."))


def _check_result_rule(rule, errors):
    if not isinstance(rule, dict):
        errors["result_rule"] = _("The result rule must be an object.")
        return
    quota_total = ZERO
    for grade in rule.get("grades", []):
        name = str(grade.get("name") or "").strip() if isinstance(grade, dict) else ""
        if not name:
            errors["result_rule"] = _("Every grade needs a name.")
            return
        if "min" in grade and _number(grade["min"]) is None:
            errors["result_rule"] = _("Grade “%(name)s”: its threshold must be a number.") % {
                "name": name
            }
            return
        if "quota" in grade:
            quota = _number(grade["quota"])
            if quota is None or quota < 0 or quota > HUNDRED:
                errors["result_rule"] = _(
                    "Grade “%(name)s”: its quota must be a percentage from 0 to 100."
                ) % {"name": name}
                return
            quota_total += quota
    if quota_total > HUNDRED:
        errors["result_rule"] = _("The grades' quotas add up to more than 100%.")
        return
    for prize in rule.get("prizes", []):
        count = prize.get("count") if isinstance(prize, dict) else None
        if not isinstance(prize, dict) or not prize.get("name"):
            errors["result_rule"] = _("Every prize needs a name.")
            return
        if not isinstance(count, int) or count < 0:
            errors["result_rule"] = _("Prize “%(name)s”: its count must be a whole number.") % {
                "name": prize["name"]
            }
            return


def _level_label(level):
    return Level(level).label if level in Level.values else level


def _check_vetoes(vetoes, errors, level):
    if not isinstance(vetoes, list):
        errors["vetoes"] = _("The vetoes must be a list.")
        return
    for veto in vetoes:
        if not isinstance(veto, dict) or not str(veto.get("reason") or "").strip():
            errors["vetoes"] = _("Every veto needs a reason.")
            return
        if sources.get(veto.get("source") or "") is None:
            errors["vetoes"] = _("Veto “%(reason)s”: there is no data source “%(source)s”.") % {
                "reason": veto["reason"],
                "source": veto.get("source") or "",
            }
            return
        if not sources.get(veto["source"]).reports_on(level):
            errors["vetoes"] = _(
                "Veto “%(reason)s”: “%(source)s” has no figures for %(level)s."
            ) % {
                "reason": veto["reason"],
                "source": sources.get(veto["source"]).label,
                "level": _level_label(level),
            }
            return
        if _number(veto.get("at_least")) is None and _number(veto.get("at_most")) is None:
            errors["vetoes"] = _("Veto “%(reason)s”: give the figure at which it applies.") % {
                "reason": veto["reason"]
            }
            return


def _save_nodes(scheme, nodes, parent, inherited_part, parts, counter):
    for node in nodes:
        part = parts.get(node.get("part") or "") or inherited_part
        indicator = Indicator.objects.create(
            scheme=scheme,
            parent=parent,
            part=part,
            title=str(node["title"]).strip(),
            max_points=_number(node["max_points"]),
            kind="" if node.get("children") else node["kind"],
            source=node.get("source") or "",
            rule=node.get("rule") or {},
            evidence=node.get("evidence") or "",
            position=next(counter),
        )
        _save_nodes(scheme, node.get("children") or [], indicator, part, parts, counter)


def scheme_tree(scheme):
    """The scheme's indicators as nested dicts (from prefetched ``indicators`` and ``parts``)."""
    parts = {part.pk: part.name for part in scheme.parts.all()}
    children = defaultdict(list)
    for indicator in scheme.indicators.all():
        children[indicator.parent_id].append(indicator)

    def node(indicator):
        return {
            "id": indicator.pk,
            "title": indicator.title,
            "max_points": indicator.max_points,
            "kind": indicator.kind,
            "part": parts.get(indicator.part_id, ""),
            "source": indicator.source,
            "rule": indicator.rule,
            "evidence": indicator.evidence,
            "children": [node(child) for child in children[indicator.pk]],
        }

    return [node(indicator) for indicator in children[None]]


# ---------------------------------------------------------------- hand scores


def _previous(round_):
    index = ROUND_ORDER.index(round_)
    return ROUND_ORDER[index - 1] if index else None


@transaction.atomic
def enter_score(
    user,
    indicator,
    *,
    unit,
    round,  # noqa: A002 (the API's name)
    value,
    person=None,
    reason="",
    evidence="",
    files=(),
):
    """An assessor's value for a hand-scored item (or the events of a per-incident item
    without a data source) for one unit in one round, with the evidence files filed for it."""
    scheme = indicator.scheme
    if round == Round.SELF:
        allowed = may_run(user, scheme) or works_in(user, unit)
    else:
        allowed = may_run(user, scheme)
    if not allowed:
        raise PermissionDenied(_("You may not score this unit in this round."))
    if indicator.children.exists():
        raise ValidationError({"indicator": _("Score the items of a category, not the category.")})
    if not indicator.is_hand_scored:
        raise ValidationError(
            {"indicator": _("Indicator “%(name)s” is scored from data.") % {"name": indicator}}
        )
    _check_open(scheme)
    if _round_approved(scheme, unit, person, round):
        raise ValidationError({"round": _("This round is approved for this unit.")})
    checked = check_uploads(files)
    value = _number(value)
    if value is None:
        raise ValidationError({"value": _("Enter a number.")})
    rule = indicator.rule
    if "range" in rule:
        low, high = (_number(bound) for bound in rule["range"])
        if not low <= value <= high:
            raise ValidationError(
                {
                    "value": _(
                        "Indicator “%(name)s”: the value must lie between %(low)s and %(high)s."
                    )
                    % {"name": indicator, "low": _shown(low), "high": _shown(high)}
                }
            )
    elif indicator.kind == Indicator.Kind.INCIDENT:
        if value < 0 or value != value.to_integral_value():
            raise ValidationError(
                {
                    "value": _("Indicator “%(name)s”: enter the number of events.")
                    % {"name": indicator}
                }
            )
    elif not ZERO <= value <= indicator.max_points:
        raise ValidationError(
            {
                "value": _("Indicator “%(name)s”: the score must lie between 0 and %(max)s.")
                % {"name": indicator, "max": _shown(indicator.max_points)}
            }
        )
    if round == Round.REVIEW and not str(reason).strip():
        earlier = _hand_value(indicator, unit, person, Round.INITIAL)
        if earlier is not None and earlier != value:
            raise ValidationError({"reason": _("A change in the second review needs a reason.")})
    score, _created = ManualScore.objects.update_or_create(
        indicator=indicator,
        unit=unit,
        person=person,
        round=round,
        assessor=user,
        defaults={"value": value, "reason": reason, "evidence": evidence},
    )
    ScoreEvidence.store(checked, user, score=score)
    return score


def _check_open(scheme):
    if scheme.period.is_closed:
        raise ValidationError(
            {
                "round": _("The period %(period)s is closed; its assessment no longer changes.")
                % {"period": scheme.period}
            }
        )


@transaction.atomic
def enter_scores(user, scheme, *, unit, round, entries, person=None):  # noqa: A002
    """A score sheet: every hand-scored item of one unit (or person) in one round at once, all
    or nothing, then the round rescored so the unit sees its figure. ``entries`` maps an
    indicator to ``{"value", "reason", "evidence", "files"}``; an entry without a value is
    skipped. Errors name the field and the indicator: ``value_<id>``, ``reason_<id>`` …"""
    errors = {}
    for indicator, entry in entries.items():
        if entry.get("value") is None:
            continue
        try:
            enter_score(user, indicator, unit=unit, round=round, person=person, **entry)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"{field}_{indicator.pk}" if field != "round" else "__all__"] = messages
    if errors:
        raise ValidationError(errors)
    return score_scheme(scheme, round)


def sheet_values(scheme, unit, round_, user, person=None):
    """A score sheet's initial values (``value_<id>``, ``reason_<id>``, ``evidence_<id>``):
    the user's own entries in this round, else the figure in force from the earlier rounds
    with the evidence noted there — what the reviewer starts from."""
    rounds = ROUND_ORDER[: ROUND_ORDER.index(round_) + 1]
    entries = defaultdict(list)
    for row in (
        ManualScore.objects.filter(
            indicator__scheme=scheme, unit=unit, person=person, round__in=rounds
        )
        .order_by("pk")
        .values_list("indicator_id", "round", "assessor_id", "value", "reason", "evidence")
    ):
        entries[row[0]].append(row[1:])
    initial = {}
    for indicator_id, rows in entries.items():
        own = [row for row in rows if row[0] == round_ and row[1] == user.pk]
        if own:
            _round, _assessor, value, reason, evidence = own[-1]
            initial[f"reason_{indicator_id}"] = reason
        else:
            value = _in_force([(row[0], row[2]) for row in rows], round_)
            evidence = next((row[4] for row in reversed(rows) if row[4]), "")
        initial[f"value_{indicator_id}"] = value
        initial[f"evidence_{indicator_id}"] = evidence
    return initial


def scoring_items(scheme):
    """The leaves of the tree that are scored by hand, in the tree's order."""
    indicators = list(scheme.indicators.all())
    categories = {indicator.parent_id for indicator in indicators}
    return [
        indicator
        for indicator in indicators
        if indicator.pk not in categories and indicator.is_hand_scored
    ]


def _hand_value(indicator, unit, person, round_):
    """The value in force for ``round_``: that round's entries averaged, else the previous
    round's."""
    rounds = ROUND_ORDER[: ROUND_ORDER.index(round_) + 1]
    rows = ManualScore.objects.filter(
        indicator=indicator, unit=unit, person=person, round__in=rounds
    ).values_list("round", "value")
    return _in_force(rows, round_)


def _in_force(rows, round_):
    by_round = defaultdict(list)
    for row_round, value in rows:
        by_round[row_round].append(value)
    for candidate in reversed(ROUND_ORDER[: ROUND_ORDER.index(round_) + 1]):
        if by_round[candidate]:
            values = by_round[candidate]
            return sum(values, ZERO) / len(values)
    return None


def _round_approved(scheme, unit, person, round_):
    return (
        AssessmentResult.objects.filter(scheme=scheme, unit=unit, person=person, round=round_)
        .exclude(approved_at=None)
        .exists()
    )


# ---------------------------------------------------------------- the engine


def targets(scheme, under=None):
    """``[(unit, person)]`` the scheme scores: the townships or departments under its owner
    unit, or for level ``person`` the active village representatives (执委) there — people on
    the liaison roll, not every account holding a village role. ``under`` (a unit inside the
    owner's) narrows them to one part of the area."""
    if scheme.level == Level.PERSON:
        roll = target_people(scheme, under).select_related("user")
        return [(representative.unit, representative.user) for representative in roll]
    return [(unit, None) for unit in target_units(scheme, under)]


def target_people(scheme, under=None):
    """The representatives (执委) a scheme of level ``person`` scores, as a queryset."""
    path = (under or scheme.unit).path
    return representatives_in(
        OrgUnit.objects.filter(path__startswith=path, kind=OrgUnit.Kind.VILLAGE)
    )


def target_units(scheme, under=None):
    """The units a scheme of units (not of people) scores, as a queryset in tree order."""
    path = (under or scheme.unit).path
    return OrgUnit.objects.filter(path__startswith=path, kind=UNIT_KINDS[scheme.level]).order_by(
        "path"
    )


# Parts are cut at the county: a province's or prefecture's scheme is scored county by county.
ABOVE_COUNTY = (OrgUnit.Kind.PROVINCE, OrgUnit.Kind.PREFECTURE)


def scoring_parts(scheme):
    """The units whose targets are scored by separate tasks when a scheme scores more than
    SCORING_PART targets (a province's 执委): the owner unit's children, a prefecture among
    them replaced by its own children down to the counties (so that a province's night is
    shared county by county among the worker hosts); none for a smaller scheme, scored by one
    task."""
    if scheme.level == Level.PERSON:
        count = target_people(scheme).count()
    else:
        count = target_units(scheme).count()
    if count <= SCORING_PART:
        return []
    parts, above = [], [scheme.unit]
    while above:
        children = (
            OrgUnit.objects.filter(parent__in=above).order_by("path").values_list("pk", "kind")
        )
        above = [pk for pk, kind in children if kind in ABOVE_COUNTY]
        parts += [pk for pk, kind in children if kind not in ABOVE_COUNTY]
    return parts


class Target(NamedTuple):
    """Whom a scheme scores, as the engine reads it: a unit, or a person (执委) in her unit."""

    unit_id: int
    kind: str
    path: str
    person_id: int | None


def _scoring_targets(scheme, under=None):
    """``targets`` as plain rows, in one query: a province's 执委 scheme walks 220,000."""
    if scheme.level == Level.PERSON:
        rows = target_people(scheme, under).values_list(
            "unit_id", "unit__kind", "unit__path", "user_id"
        )
        return [Target(*row) for row in rows]
    rows = target_units(scheme, under).values_list("pk", "kind", "path")
    return [Target(pk, kind, path, None) for pk, kind, path in rows]


class EventRule(NamedTuple):
    """An incident rule read once per scheme: amount per event (or None when the assessor
    picks it within a range), cap, and the multiplier per unit kind."""

    per_event: Decimal | None
    cap: Decimal
    multipliers: dict

    @classmethod
    def of(cls, indicator):
        rule = indicator.rule
        per_event = None if "range" in rule else _number(rule["per_event"])
        multipliers = {kind: _number(value) for kind, value in rule.get("multipliers", {}).items()}
        return cls(per_event, _number(rule.get("cap", indicator.max_points)), multipliers)


def _event_points(indicator, rule, count, kind, base):
    amount = count * rule.multipliers.get(kind, 1)
    if rule.per_event is None:  # the assessor picked the amount within the range (a deduction)
        sign = -1
    else:
        amount, sign = abs(rule.per_event) * amount, (1 if rule.per_event > 0 else -1)
    amount = min(amount, rule.cap)
    if sign > 0:
        return min(amount, indicator.max_points)
    if base:
        return -amount
    return max(indicator.max_points - amount, ZERO)


def _data_points(indicator, rule, raw, kind, base):
    if "thresholds" in indicator.rule:
        reached = [
            _number(points)
            for floor, points in indicator.rule["thresholds"]
            if raw >= _number(floor)
        ]
        return max(reached, default=ZERO)
    if "per_event" in indicator.rule:
        return _event_points(indicator, rule, raw, kind, base)
    target = _number(indicator.rule.get("target", 100))
    return indicator.max_points * min(max(raw / target, ZERO), Decimal(1))


def _figure(by_key, target):
    """A source's figure for one target: a person's own figure when the source answers per
    person (keyed by ``sources.person_key``), else her (or the) unit's."""
    if target.person_id is not None:
        figure = by_key.get(sources.person_key(target.person_id))
        if figure is not None:
            return figure
    return by_key.get(target.unit_id)


class Scored(NamedTuple):
    """One target's figures before ranking; ``lines`` are ``[indicator id, max points, raw,
    points, contribution, links]`` per indicator, in the walk's order."""

    target: Target
    total: Decimal
    bonus: Decimal
    reasons: list
    lines: list

    @property
    def eligible(self):
        return not self.reasons


class Node(NamedTuple):
    """An indicator as the walk reads it, with what it needs looked up once per scheme."""

    indicator: Indicator
    pk: int
    max_points: Decimal
    weight: Decimal  # its part's
    below: list  # its children's positions in the walk
    source: str
    incident: bool
    rule: EventRule | None
    bonus: bool


class Engine:
    """A scheme's indicator tree, rules and figures for one round, read once; ``score`` walks
    the tree for one target. The tree is flattened children first, so a target's walk is one
    loop over the indicators with no recursion."""

    def __init__(self, scheme, round_, targets):
        indicators = list(scheme.indicators.all())
        children = defaultdict(list)
        for indicator in indicators:
            children[indicator.parent_id].append(indicator)
        weights = {part.pk: part.weight / HUNDRED for part in scheme.parts.all()}
        self.order = []

        def flatten(indicator, weight):
            weight = weights.get(indicator.part_id, weight)
            below = [flatten(child, weight) for child in children[indicator.pk]]
            rule = indicator.rule
            self.order.append(
                Node(
                    indicator,
                    indicator.pk,
                    indicator.max_points,
                    weight,
                    below,
                    indicator.source,
                    indicator.kind == Indicator.Kind.INCIDENT,
                    EventRule.of(indicator) if "per_event" in rule or "range" in rule else None,
                    bool(rule.get("bonus")),
                )
            )
            return len(self.order) - 1

        self.roots = [flatten(root, Decimal(1)) for root in children[None]]
        self.scheme = scheme
        self.base = scheme.base_points
        self.round = round_
        unit_ids = list({target.unit_id for target in targets})
        codes = {i.source for i in indicators if i.source} | {v["source"] for v in scheme.vetoes}
        self.figures = sources.read_all(codes, scheme.period, unit_ids)
        self.hand = defaultdict(list)
        rounds = ROUND_ORDER[: ROUND_ORDER.index(round_) + 1]
        for row in ManualScore.objects.filter(
            indicator__scheme=scheme, round__in=rounds
        ).values_list("indicator_id", "unit_id", "person_id", "round", "value"):
            self.hand[row[:3]].append(row[3:])
        self.points = {}
        self.manual_vetoes = defaultdict(list)
        for unit_id, person_id, reason in ManualVeto.objects.filter(scheme=scheme).values_list(
            "unit_id", "person_id", "reason"
        ):
            self.manual_vetoes[(unit_id, person_id)].append(reason)

    def _leaf(self, node, target):
        """``(raw, points, contribution, sources)`` of one item for one target, to the cent."""
        if node.source:
            figure = _figure(self.figures[node.source], target)
            raw, links = (figure.raw, figure.links) if figure else (ZERO, [])
        else:
            rows = self.hand.get((node.pk, target.unit_id, target.person_id))
            raw, links = (_in_force(rows, self.round) if rows else None), []
        # An item's points follow from its figure and the target's kind alone, and most
        # targets share their figures with many others (a count of visits): each is worked
        # out once a scheme.
        key = (node.pk, raw, target.kind)
        points = self.points.get(key)
        if points is None:
            points = self.points[key] = self._points(node, raw, target.kind)
        return raw, *points, links

    def _points(self, node, raw, kind):
        if node.incident:
            value = _event_points(node.indicator, node.rule, raw or ZERO, kind, self.base)
        elif node.source:
            value = _data_points(node.indicator, node.rule, raw, kind, self.base)
        else:
            value = raw or ZERO
        value = rounded(value)
        return value, rounded(value * node.weight)

    def score(self, target):
        scheme = self.scheme
        below_zero = bool(self.base)  # with a base, a category may go below zero
        points = [None] * len(self.order)
        lines = []
        for position, node in enumerate(self.order):
            if node.below:
                value = sum((points[child] for child in node.below), ZERO)
                low = -node.max_points if below_zero else ZERO
                value = rounded(min(max(value, low), node.max_points))
                raw, contribution, links = None, rounded(value * node.weight), []
            else:
                raw, value, contribution, links = self._leaf(node, target)
            points[position] = value
            lines.append([node.pk, node.max_points, raw, value, contribution, links])
        bonus = ZERO
        room = scheme.bonus_cap
        total = self.base
        for root in self.roots:
            line = lines[root]
            if self.order[root].bonus:
                line[4] = min(points[root], room) if scheme.bonus_cap else points[root]
                room -= line[4]
                bonus += line[4]
            total += line[4]
        reasons = [
            veto["reason"]
            for veto in scheme.vetoes
            if _vetoed(veto, _figure(self.figures[veto["source"]], target))
        ] + self.manual_vetoes[(target.unit_id, target.person_id)]
        return Scored(target, rounded(total), bonus, reasons, lines)


RANKING_FIELDS = ("rank", "grade", "title")
RESULT_FIELDS = ("total", "bonus", *RANKING_FIELDS, "eligible", "veto_reasons")
LINE_FIELDS = ("max_points", "raw", "points", "contribution", "sources")


@transaction.atomic
@collector_paused()
def score_scheme(scheme, round_, *, under=None):
    """Write one result per unit (or person) for ``round_`` with its breakdown, from the
    records and the hand scores in force; returns how many. Set-based (a fixed number of
    queries whatever the number of units) and idempotent; results already approved are left
    as they are. With ``under``, only the targets in that part of the area are scored, and
    ``rank_round`` ranks the whole round once every part is written (the nightly fan-out)."""
    scheme = (
        AssessmentScheme.objects.select_related("unit", "period")
        .prefetch_related("parts", "indicators")
        .get(pk=scheme.pk)
    )
    approved = set(
        AssessmentResult.objects.filter(scheme=scheme, round=round_)
        .exclude(approved_at=None)
        .values_list("unit_id", "person_id")
    )
    pending = [
        target
        for target in _scoring_targets(scheme, under)
        if (target.unit_id, target.person_id) not in approved
    ]
    engine = Engine(scheme, round_, pending)
    computed = [engine.score(target) for target in pending]
    # A part of the area is not ranked on its own: rank_round ranks the whole round, and until
    # then its results keep the rank they had.
    if under is None:
        computed = _by_total(computed)
        standings = _rank(scheme, [(row.total, row.eligible) for row in computed])
        ranked = [(row, *standing) for row, standing in zip(computed, standings, strict=True)]
        kept = ()
    else:
        ranked, kept = [(row, None, "", "") for row in computed], RANKING_FIELDS
    now = timezone.now()
    # One upsert on the natural key (new results inserted, earlier ones rewritten in place,
    # keeping their ids and links); it returns every result's id for its lines.
    written = upsert_rows(
        AssessmentResult,
        ("scheme", "unit", "person", "round", *RESULT_FIELDS, "created_at", "updated_at"),
        (
            (
                scheme.pk,
                row.target.unit_id,
                row.target.person_id,
                round_,
                row.total,
                row.bonus,
                rank,
                grade,
                title,
                not row.reasons,
                row.reasons,
                now,
                now,
            )
            for row, rank, grade, title in ranked
        ),
        unique_fields=("scheme", "unit", "person", "round"),
        update_fields=(*(f for f in RESULT_FIELDS if f not in kept), "updated_at"),
        returning=("id", "unit", "person"),
    )
    ids = {(unit_id, person_id): pk for pk, unit_id, person_id in written}
    # Each line rewritten in place on (result, indicator), as the results are, and only where
    # it changed: a night that rescores a province's 执委 reads 880,000 lines, most of them as
    # the night before, and writes no new version of those.
    upsert_rows(
        AssessmentLine,
        ("result", "indicator", *LINE_FIELDS),
        (
            (ids[(row.target.unit_id, row.target.person_id)], *line)
            for row in computed
            for line in row.lines
        ),
        unique_fields=("result", "indicator"),
        update_fields=LINE_FIELDS,
        changed=LINE_FIELDS,
    )
    # The foreign keys are checked at COMMIT with plans the session cached when the results
    # table was small (an earlier, smaller scheme): re-planned now, each check is an index
    # lookup, not a scan of every result (61 s instead of 0.3 s for a prefecture's 执委).
    with connection.cursor() as cursor:
        cursor.execute("DISCARD PLANS")
    results_changed.send(AssessmentScheme, scheme=scheme)
    return len(written)


def _vetoed(veto, figure):
    raw = figure.raw if figure else ZERO
    at_least, at_most = _number(veto.get("at_least")), _number(veto.get("at_most"))
    return (at_least is not None and raw >= at_least) or (at_most is not None and raw <= at_most)


def _by_total(computed):
    """Scored rows in ranking order: highest total first, ties by place in the tree."""
    return sorted(
        computed, key=lambda row: (-row.total, row.target.path, row.target.person_id or 0)
    )


def _rank(scheme, standings):
    """``[(rank, grade, prize)]`` for ``standings``, ``(total, eligible)`` pairs in ranking
    order (``_by_total``): eligible results ranked (ties share a rank); grades by threshold
    and quota in order; the vetoed keep their score but are not ranked, take no quota grade
    and no prize. One pass, whatever the number of results."""
    rule = scheme.result_rule
    grades = rule.get("grades", [])
    prizes = [prize["name"] for prize in rule.get("prizes", []) for _n in range(prize["count"])]
    eligible = sum(1 for _total, is_eligible in standings if is_eligible)
    quotas = {
        grade["name"]: int(eligible * _number(grade["quota"]) / HUNDRED)
        for grade in grades
        if "quota" in grade
    }
    # Each grade as the loop reads it: name, minimum, withheld from a vetoed result or not.
    thresholds = [
        (grade["name"], _number(grade.get("min", 0)), grade["name"] in quotas or grade.get("award"))
        for grade in grades
    ]
    prizes.reverse()  # given from the end of the list, the first prize to the first result
    ranked, position, rank, previous = [], 0, None, None
    for total, is_eligible in standings:
        if is_eligible:
            position += 1
            if total != previous:
                rank, previous = position, total
        grade_name = ""
        for name, minimum, withheld_if_vetoed in thresholds:
            if total < minimum or (withheld_if_vetoed and not is_eligible):
                continue
            if name in quotas:
                if quotas[name] <= 0:
                    continue
                quotas[name] -= 1
            grade_name = name
            break
        title = prizes.pop() if is_eligible and prizes else ""
        ranked.append((rank if is_eligible else None, grade_name, title))
    return ranked


@transaction.atomic
@collector_paused()
def rank_round(scheme, round_):
    """Rank, grade and prize every result of a round not yet approved, from the totals
    already written: the last step when a scheme's targets were scored in parts. One read,
    and one update of the results whose standing moved, whatever the number of results."""
    rows = list(
        AssessmentResult.objects.filter(scheme=scheme, round=round_, approved_at=None)
        # In ranking order, sorted by PostgreSQL (as _by_total sorts, paths compared by code
        # point): for a province's 220,000 results, faster than sorting them in Python.
        .order_by("-total", Collate("unit__path", "C"), F("person").asc(nulls_first=True))
        .values_list("pk", "total", "eligible", *RANKING_FIELDS)
    )
    standings = _rank(scheme, [(total, eligible) for _pk, total, eligible, *_standing in rows])
    now = timezone.now()
    # Only the standings that moved are sent back.
    update_rows(
        AssessmentResult,
        (*RANKING_FIELDS, "updated_at"),
        (
            (pk, *standing, now)
            for (pk, _total, _eligible, *before), standing in zip(rows, standings, strict=True)
            if standing != tuple(before)
        ),
        changed=RANKING_FIELDS,
    )
    results_changed.send(AssessmentScheme, scheme=scheme)
    return len(rows)


# ---------------------------------------------------------------- rounds


def may_approve(user, result):
    """The unit submits its self-assessment; county staff approve the initial and second
    reviews; the leadership approves the final round (审定)."""
    if not user.is_authenticated:
        return False
    if result.round == Round.FINAL:
        return user.is_superuser or (
            user.has_role(Role.LEADER) and covers(user, result.scheme.unit)
        )
    if result.round == Round.SELF and works_in(user, result.unit):
        return True
    return may_run(user, result.scheme)


@transaction.atomic
def approve_result(user, result):
    """Approve one round's figure; the rounds are approved in order."""
    result = AssessmentResult.objects.select_for_update().get(pk=result.pk)
    if not may_approve(user, result):
        raise PermissionDenied(_("You may not approve this round."))
    if result.approved_at:
        raise ValidationError({"round": _("This round is already approved.")})
    previous = _previous(result.round)
    if (
        previous
        and not AssessmentResult.objects.filter(
            scheme=result.scheme_id,
            unit=result.unit_id,
            person=result.person_id,
            round=previous,
        )
        .exclude(approved_at=None)
        .exists()
    ):
        raise ValidationError(
            {"round": _("Approve the %(previous)s first.") % {"previous": Round(previous).label}}
        )
    result.approved_by, result.approved_at = user, timezone.now()
    result.save(update_fields=["approved_by", "approved_at", "updated_at"])
    return result


def may_approve_round(user, scheme, round_):
    """Approving every result of a round at once: county staff over the scheme for the
    self-assessment and the reviews, the leadership for the final round (审定)."""
    if not user.is_authenticated:
        return False
    if round_ == Round.FINAL:
        return user.is_superuser or (user.has_role(Role.LEADER) and covers(user, scheme.unit))
    return may_run(user, scheme)


@transaction.atomic
def approve_round(user, scheme, round_):
    """Approve at once every result of ``round_`` not yet approved that ``user`` approves:
    county staff the self-assessment and the reviews, the leadership the 审定 of the whole
    ranking, a unit its own 自评 (its submission). All or nothing: the previous round must be
    approved for each. Returns how many were approved."""
    waiting = AssessmentResult.objects.filter(scheme=scheme, round=round_, approved_at=None)
    if not may_approve_round(user, scheme, round_):
        own = [m.unit_id for m in user.active_memberships if m.role in WORKING_ROLES]
        if round_ != Round.SELF or not own:
            raise PermissionDenied(_("You may not approve this round."))
        waiting = waiting.filter(unit__in=own, person=None)
        if not waiting.exists():
            raise ValidationError(
                {"round": _("Nothing in this round is waiting for your approval.")}
            )
    keys = set(waiting.select_for_update().values_list("unit_id", "person_id"))
    previous = _previous(round_)
    if previous:
        unapproved = keys - set(
            AssessmentResult.objects.filter(scheme=scheme, round=previous)
            .exclude(approved_at=None)
            .values_list("unit_id", "person_id")
        )
        if unapproved:
            unit = OrgUnit.objects.get(pk=min(unapproved)[0])
            raise ValidationError(
                {
                    "round": _("Approve the %(previous)s of %(unit)s first.")
                    % {"previous": Round(previous).label, "unit": unit}
                }
            )
    approved = waiting.update(
        approved_by=user, approved_at=timezone.now(), updated_at=timezone.now()
    )
    results_changed.send(AssessmentScheme, scheme=scheme)
    return approved


@transaction.atomic
def publish_round(user, scheme, round_):
    """Publish the ranking of a scheme's 审定 (the earlier rounds are working figures): every
    result must be approved. Published, the units scored read the whole ranking."""
    if not may_run(user, scheme):
        raise PermissionDenied(_("Only county federation staff publish results."))
    if round_ != Round.FINAL:
        raise ValidationError({"round": _("Only the approved final results are published.")})
    results = AssessmentResult.objects.filter(scheme=scheme, round=round_)
    if not results.exists():
        raise ValidationError({"round": _("This round has no results yet.")})
    if results.filter(approved_at=None).exists():
        raise ValidationError({"round": _("Every result of this round must be approved first.")})
    published = results.filter(published_at=None).update(published_at=timezone.now())
    results_changed.send(AssessmentScheme, scheme=scheme)
    return published


def publish_results(user, result):
    """Publish the ranking of the result's scheme and round."""
    publish_round(user, result.scheme, result.round)
    result.refresh_from_db()
    return result


def run_scoring(user, scheme, round_):
    """Score a round now, on county staff's demand (the nightly run does the same)."""
    if not may_run(user, scheme):
        raise PermissionDenied(_("Only county federation staff run the assessment."))
    _check_open(scheme)
    return score_scheme(scheme, round_)


@transaction.atomic
def add_veto(user, scheme, *, unit, reason, person=None):
    """Record a veto (一票否决) against a unit or person the scheme scores, and rescore the
    rounds not yet approved so its results lose eligibility at once."""
    if not may_run(user, scheme):
        raise PermissionDenied(_("Only county federation staff record vetoes."))
    _check_open(scheme)
    reason = str(reason).strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the veto.")})
    if (unit, person) not in targets(scheme):
        raise ValidationError({"unit": _("This scheme does not score %(unit)s.") % {"unit": unit}})
    veto = ManualVeto.objects.create(
        scheme=scheme, unit=unit, person=person, reason=reason, entered_by=user
    )
    _rescore_open_rounds(scheme)
    return veto


@transaction.atomic
def remove_veto(user, veto):
    scheme = veto.scheme
    if not may_run(user, scheme):
        raise PermissionDenied(_("Only county federation staff record vetoes."))
    _check_open(scheme)
    veto.delete()
    _rescore_open_rounds(scheme)
    return scheme


def _rescore_open_rounds(scheme):
    rounds = set(AssessmentResult.objects.filter(scheme=scheme).values_list("round", flat=True))
    for round_ in ROUND_ORDER:
        if round_ in rounds:
            score_scheme(scheme, round_)


def round_states(scheme):
    """Per round: how many results, how many approved, whether published — one query."""
    states = {
        round_: {"round": round_, "label": label, "results": 0, "approved": 0, "published": False}
        for round_, label in Round.choices
    }
    for round_, approved_at, published_at in AssessmentResult.objects.filter(
        scheme=scheme
    ).values_list("round", "approved_at", "published_at"):
        states[round_]["results"] += 1
        states[round_]["approved"] += approved_at is not None
        states[round_]["published"] |= published_at is not None
    return [states[round_] for round_ in ROUND_ORDER]


def round_figures(results):
    """``{result.pk: {round: total}}`` of each result's unit (or person) in every round, in
    one query."""
    keys = {(r.scheme_id, r.unit_id, r.person_id) for r in results}
    figures = defaultdict(dict)
    if keys:
        rows = AssessmentResult.objects.filter(
            scheme__in={key[0] for key in keys}, unit__in={key[1] for key in keys}
        ).values_list("scheme_id", "unit_id", "person_id", "round", "total")
        for scheme_id, unit_id, person_id, round_, total in rows:
            figures[(scheme_id, unit_id, person_id)][round_] = total
    return {r.pk: figures[(r.scheme_id, r.unit_id, r.person_id)] for r in results}


def current_round(scheme):
    """The first round not yet approved for every unit: the one the nightly run rescores."""
    approved = defaultdict(int)
    total = defaultdict(int)
    for round_, approved_at in AssessmentResult.objects.filter(scheme=scheme).values_list(
        "round", "approved_at"
    ):
        total[round_] += 1
        approved[round_] += approved_at is not None
    for round_ in ROUND_ORDER:
        if not total[round_] or approved[round_] < total[round_]:
            return round_
    return None


def schemes_to_score():
    """Ids of the schemes of open periods."""
    return list(
        AssessmentScheme.objects.filter(period__is_closed=False).values_list("pk", flat=True)
    )


# ---------------------------------------------------------------- survey imports


def import_survey(user, indicator, file, round):  # noqa: A002 (the API's name)
    """第三方测评: the scores of a survey item from the file a survey firm sent (.xlsx or
    .csv, one row per unit, or per person by her account, with a score). Every row is checked
    first; when any is wrong nothing is entered and the errors name their rows. Otherwise each
    score is entered through ``enter_score`` in one transaction. Returns how many were."""
    from apps.assessment.imports import read_survey

    scheme = indicator.scheme
    if not may_run(user, scheme):
        raise PermissionDenied(_("Only county federation staff import survey scores."))
    if indicator.kind != Indicator.Kind.SURVEY or indicator.children.exists():
        raise ValidationError(
            {"indicator": _("Indicator “%(name)s” is not a survey item.") % {"name": indicator}}
        )
    rows = read_survey(file)
    checked, errors = _check_survey_rows(indicator, rows, round)
    if errors:
        raise ValidationError({"file": errors[:200]})
    reason = _("From the survey file “%(name)s”.") % {"name": file.name}
    with transaction.atomic():
        for row_number, unit, person, value in checked:
            try:
                enter_score(
                    user,
                    indicator,
                    unit=unit,
                    person=person,
                    round=round,
                    value=value,
                    reason=reason,
                )
            except ValidationError as error:
                errors += [_row_error(row_number, message) for message in error.messages]
        if errors:
            raise ValidationError({"file": errors[:200]})
    return len(checked)


def _row_error(row_number, message):
    return _("Row %(row)s: %(problem)s") % {"row": row_number, "problem": message}


def _survey_targets(scheme):
    """What a survey row may name: ``{text: (unit, person)}`` by unit code and unit name, or by
    account for a scheme of individuals; a name two units share names neither (None)."""
    names = {}
    for unit, person in targets(scheme):
        keys = [person.username] if person else [unit.code, unit.name]
        for key in keys:
            names[key] = None if key in names and names[key] != (unit, person) else (unit, person)
    return names


def _check_survey_rows(indicator, rows, round_):
    """``(checked rows, errors)``: each row's unit (or person) and score, or the row's problems:
    an unknown or ambiguous unit, a unit named twice, a score that is not a number or lies
    outside the item's points (or its range), a unit whose round is already approved."""
    names = _survey_targets(indicator.scheme)
    approved = set(
        AssessmentResult.objects.filter(scheme=indicator.scheme, round=round_)
        .exclude(approved_at=None)
        .values_list("unit_id", "person_id")
    )
    low, high = ZERO, indicator.max_points
    if "range" in indicator.rule:
        low, high = (_number(bound) for bound in indicator.rule["range"])
    seen, checked, errors = {}, [], []
    for row_number, text, score in rows:
        problems = []
        target = names.get(text)
        if not text:
            problems.append(_("name the unit."))
        elif text in names and target is None:
            problems.append(
                _("“%(unit)s” names more than one unit; use its code.") % {"unit": text}
            )
        elif target is None:
            problems.append(
                _("“%(unit)s” is not among the units this scheme assesses.") % {"unit": text}
            )
        elif target in seen:
            problems.append(
                _("“%(unit)s” already appears in row %(first)s.")
                % {"unit": text, "first": seen[target]}
            )
        elif (target[0].pk, target[1].pk if target[1] else None) in approved:
            problems.append(_("this round is already approved for “%(unit)s”.") % {"unit": text})
        value = _number(score)
        if not score:
            problems.append(_("enter a score."))
        elif value is None:
            problems.append(_("“%(score)s” is not a score.") % {"score": score})
        elif not low <= value <= high:
            problems.append(
                _("the score %(score)s must lie between %(low)s and %(high)s.")
                % {"score": _shown(value), "low": _shown(low), "high": _shown(high)}
            )
        if target is not None:
            seen.setdefault(target, row_number)
        if problems:
            errors += [_row_error(row_number, problem) for problem in problems]
        else:
            checked.append((row_number, *target, value))
    return checked, errors
