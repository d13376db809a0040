"""确立目标 and 分解目标: writing a plan, decomposing objectives, publishing, revising."""

import csv
from collections import defaultdict
from decimal import Decimal
from itertools import islice

import openpyxl
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.exports import XLSX_CONTENT_TYPE
from apps.core.permissions import WORKING_ROLES, is_staff_over
from apps.core.querysets import covers
from apps.core.roles import Role
from apps.core.uploads import sniff_upload
from apps.notifications import services as notifications
from apps.objectives.models import Objective, ObjectivePlan, ObjectiveRevision
from apps.organizations.models import OrgUnit

# Fields a child copies from the objective it is decomposed from: it measures the same thing.
INHERITED_FIELDS = (
    "category",
    "kind",
    "measure_unit",
    "baseline",
    "direction",
    "additive",
    "rubric",
    "report_frequency",
)
TOLERANCE = Decimal("0.01")
RELATED = ("plan", "parent", "assignee_unit", "assignee_person")


def _require_staff_over(user, unit):
    # The unit may lie outside the caller's area: the refusal names nothing.
    if not is_staff_over(user, unit):
        raise PermissionDenied(_("Only federation staff over the responsible unit may do this."))


def _require_editable(plan):
    if plan.is_closed:
        raise ValidationError(_("The plan is closed; its objectives can no longer change."))
    if plan.period.is_closed:
        raise ValidationError(
            _("The period %(period)s is closed; its objectives can no longer change.")
            % {"period": plan.period}
        )


@transaction.atomic
def create_plan(user, *, period, unit, title, **rules):
    """确立目标: a county admin opens a draft plan for a period."""
    if not user.has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied(_("Only county federation staff set objective plans."))
    _require_staff_over(user, unit)
    if period.is_closed:
        raise ValidationError({"period": _("The period is closed.")})
    plan = ObjectivePlan(period=period, unit=unit, title=title, **rules)
    plan.full_clean()
    plan.save()
    return plan


def _check_one(objective):
    """The rules a single objective must meet whatever its siblings say."""
    errors = {}
    if objective.kind == Objective.Kind.QUANTITATIVE:
        if objective.target is None:
            errors["target"] = _("A quantitative objective needs a target.")
        elif objective.target <= 0:
            errors["target"] = _("The target must be greater than zero.")
        if not objective.measure_unit:
            errors["measure_unit"] = _("Say what the target is measured in.")
    else:
        message = _rubric_problem(objective.rubric)
        if message:
            errors["rubric"] = message
    parent = objective.parent
    if parent is not None and objective.due_date and objective.due_date > parent.due_date:
        errors["due_date"] = _("Due %(due)s, after its parent objective (%(parent_due)s).") % {
            "due": objective.due_date,
            "parent_due": parent.due_date,
        }
    if objective.due_date and objective.due_date > objective.plan.period.end_date:
        errors["due_date"] = _("Due after the end of the period (%(end)s).") % {
            "end": objective.plan.period.end_date
        }
    if errors:
        raise ValidationError(errors)


def _rubric_problem(rubric):
    try:
        shares = [Decimal(str(level["completion"])) for level in rubric]
        labels = [str(level["label"]).strip() for level in rubric]
    except (KeyError, TypeError, ArithmeticError, ValueError):
        return _("Each rubric level needs a label and a completion share.")
    if len(shares) < 2:
        return _("A milestone needs a rubric with at least two levels.")
    if not all(labels):
        return _("Each rubric level needs a label.")
    if shares != sorted(shares) or len(set(shares)) != len(shares) or shares[-1] != 1:
        return _("Rubric levels must rise in order and end at a completion of 1.")
    return None


def _check_assignee(user, parent, assignee_unit, assignee_person):
    """A child goes to a unit below the parent's, or to a named person in the parent's unit,
    always inside the decomposer's scope."""
    if not covers(user, assignee_unit):
        # Answer as if the unit did not exist: name nothing outside the caller's area.
        raise ValidationError({"assignee_unit": _("There is no such unit in your area of work.")})
    if parent is None:
        return
    if not parent.assignee_unit.contains(assignee_unit):
        raise ValidationError(
            {
                "assignee_unit": _("%(unit)s is not under %(parent_unit)s.")
                % {"unit": assignee_unit, "parent_unit": parent.assignee_unit}
            }
        )
    if assignee_unit == parent.assignee_unit and assignee_person is None:
        raise ValidationError(
            {"assignee_person": _("A part kept in the same unit must name the person it is for.")}
        )
    if (
        assignee_person is not None
        and not assignee_person.memberships.filter(unit=assignee_unit).exists()
    ):
        raise ValidationError(
            {
                "assignee_person": _("%(person)s does not work in %(unit)s.")
                % {"person": assignee_person, "unit": assignee_unit}
            }
        )


@transaction.atomic
def add_objective(user, plan, *, parent=None, **fields):
    """Write a top-level objective (确立目标) or split ``parent`` into a part (分解目标).

    A part copies what its parent measures; its unit, person, target, weight and due date are
    its own. The sibling sums are checked here too, so a part can never take more weight than
    its parent has left.
    """
    _require_editable(plan)
    if parent is None:
        if not user.has_role(Role.COUNTY_ADMIN) or not plan.is_draft:
            raise PermissionDenied(
                _("Top-level objectives are written by county staff in a draft plan.")
            )
        _require_staff_over(user, plan.unit)
        depth = 0
    else:
        if parent.plan_id != plan.pk:
            raise ValidationError({"parent": _("This objective is not in the plan.")})
        _require_staff_over(user, parent.assignee_unit)
        fields.update({name: getattr(parent, name) for name in INHERITED_FIELDS})
        depth = parent.depth + 1
    _check_assignee(user, parent, fields["assignee_unit"], fields.get("assignee_person"))
    objective = Objective(plan=plan, parent=parent, depth=depth, **fields)
    objective.full_clean(exclude=["completion", "points"])
    _check_one(objective)
    if parent is not None:
        _check_weight_left(parent, objective)
    objective.save()
    return objective


def _check_weight_left(parent, objective):
    taken = sum((child.weight for child in parent.children.exclude(pk=objective.pk)), Decimal(0))
    if taken + objective.weight > parent.weight + TOLERANCE:
        raise ValidationError(
            {
                "weight": _("Only %(left)s of %(total)s points are left to share out.")
                % {"left": parent.weight - taken, "total": parent.weight}
            }
        )


def rule_violations(objectives):
    """Check a set of objectives (a plan, or one objective's subtree) against the
    decomposition rules; returns human-readable messages, each naming objective and rule."""
    objectives = list(objectives)
    children = defaultdict(list)
    for objective in objectives:
        if objective.parent_id:
            children[objective.parent_id].append(objective)
    problems = []
    for objective in objectives:
        parts = children.get(objective.pk, [])
        try:
            _check_one(objective)
        except ValidationError as error:
            problems += [_name(objective, message) for message in error.messages]
        if parts:
            problems += [_name(objective, message) for message in _sum_problems(objective, parts)]
    return problems


def _name(objective, message):
    return _("“%(objective)s” (%(unit)s): %(message)s") % {
        "objective": objective.title,
        "unit": objective.assignee_unit,
        "message": message,
    }


def _sum_problems(objective, parts):
    problems = []
    weights = sum((part.weight for part in parts), Decimal(0))
    if abs(weights - objective.weight) > TOLERANCE:
        problems.append(
            _("its parts' weights add up to %(sum)s, not %(weight)s.")
            % {"sum": weights, "weight": objective.weight}
        )
    if objective.kind == Objective.Kind.QUANTITATIVE and objective.additive and objective.target:
        targets = sum((part.target or 0 for part in parts), Decimal(0))
        short = (
            targets < objective.target
            if objective.direction == Objective.Direction.HIGHER
            else targets > objective.target
        )
        if short and objective.direction == Objective.Direction.HIGHER:
            problems.append(
                _("its parts' targets add up to %(sum)s, short of %(target)s.")
                % {"sum": targets, "target": objective.target}
            )
        elif short:
            problems.append(
                _("its parts' targets add up to %(sum)s, more than the %(target)s allowed.")
                % {"sum": targets, "target": objective.target}
            )
    return problems


def _subtree(objective):
    """The objective and everything decomposed from it, in one query per level."""
    found, level = [objective], [objective]
    while level:
        level = list(
            Objective.objects.filter(parent__in=level).select_related(
                "plan__period", "assignee_unit", "parent"
            )
        )
        found += level
    return found


@transaction.atomic
def publish_plan(user, plan):
    """Publish a draft plan: every rule must hold; every assignee is told. Returns the users
    who were notified (none when nobody works in the assigned units yet)."""
    if not user.has_role(Role.COUNTY_ADMIN):
        raise PermissionDenied(_("Only county federation staff publish plans."))
    _require_staff_over(user, plan.unit)
    if not plan.is_draft:
        raise ValidationError(_("Only a draft plan can be published."))
    _require_editable(plan)
    objectives = list(plan.objectives.select_related("plan__period", "assignee_unit", "parent"))
    if not objectives:
        raise ValidationError(_("The plan has no objectives yet."))
    problems = rule_violations(objectives)
    if problems:
        raise ValidationError(problems)
    plan.status = ObjectivePlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at", "updated_at"])
    plan.objectives.update(published_at=plan.published_at)
    return _notify_assignees(plan, objectives, key=f"plan-published:{plan.pk}")


@transaction.atomic
def publish_decomposition(user, objective):
    """A township publishes how it split an objective of a published plan among its villages
    and people; the rules are checked over that subtree. Returns the users notified."""
    plan = objective.plan
    _require_editable(plan)
    if plan.is_draft:
        raise ValidationError(_("Publish the plan itself first."))
    _require_staff_over(user, objective.assignee_unit)
    subtree = _subtree(objective)
    if len(subtree) == 1:
        raise ValidationError(_("This objective has not been split into parts."))
    problems = rule_violations(subtree)
    if problems:
        raise ValidationError(problems)
    drafts = [part for part in subtree[1:] if not part.is_published]
    Objective.objects.filter(pk__in=[part.pk for part in drafts]).update(
        published_at=timezone.now()
    )
    return _notify_assignees(plan, drafts, key=f"objective-published:{objective.pk}")


def _notify_assignees(plan, objectives, key):
    """Tell the people of every unit (or the named person) that received an objective;
    returns who was told."""
    units = {o.assignee_unit_id for o in objectives if not o.assignee_person_id}
    persons = {o.assignee_person_id for o in objectives if o.assignee_person_id}
    recipients = User.objects.working_in(units) | User.objects.filter(
        is_active=True, pk__in=persons
    )
    sent = notifications.notify_many(
        recipients,
        key,
        _("New objectives in %(plan)s") % {"plan": plan.title},
        body=_("Objectives have been assigned to you or your unit. Please plan your work."),
        url=plan.get_absolute_url(),
    )
    return [notification.recipient for notification in sent]


@transaction.atomic
def revise_objective(user, objective, *, reason, weight=None, target=None, parts=()):
    """Change a published objective's weight or target (and its parts' at the same time, so
    the sums still hold). Every change is recorded with its reason."""
    objective.refresh_from_db()
    _require_editable(objective.plan)
    if objective.plan.is_draft:
        raise ValidationError(
            _("A draft objective is edited directly; revisions are for published ones.")
        )
    owner = objective.parent.assignee_unit if objective.parent else objective.plan.unit
    _require_staff_over(user, owner)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    _require_own_parts(objective, [part for part, _weight, _target in parts])
    changes = [(objective, weight, target)] + [
        (part, part_weight, part_target) for part, part_weight, part_target in parts
    ]
    for item, new_weight, new_target in changes:
        item.refresh_from_db()
        record = {}
        if new_weight is not None and new_weight != item.weight:
            record["weight"] = [str(item.weight), str(new_weight)]
            item.weight = new_weight
        if new_target is not None and new_target != item.target:
            record["target"] = [str(item.target), str(new_target)]
            item.target = new_target
        if record:
            _check_one(item)
            item.save(update_fields=["weight", "target", "updated_at"])
            ObjectiveRevision.objects.create(
                objective=item, changed_by=user, reason=reason.strip(), changes=record
            )
    scope = _subtree(objective.parent or objective)
    problems = rule_violations(scope)
    if problems:
        raise ValidationError(problems)
    return objective


def _require_own_parts(objective, parts):
    """A revision changes the objective and its own parts, nothing else: an id that is not a
    part of it is answered as if it did not exist."""
    own = set(objective.children.values_list("pk", flat=True))
    if any(part.pk not in own for part in parts):
        raise ValidationError({"parts": _("Each part must be a part of this objective.")})


@transaction.atomic
def update_draft_objective(user, objective, **fields):
    """Edit an objective nobody has been told about yet (in a draft plan, or a part a township
    has not published). Published objectives change through revise_objective."""
    objective.refresh_from_db(fields=["published_at"])
    _require_editable(objective.plan)
    if objective.is_published:
        raise ValidationError(
            _("This objective is published: change it through a revision with a reason.")
        )
    owner = objective.parent.assignee_unit if objective.parent else objective.plan.unit
    _require_staff_over(user, owner)
    for name, value in fields.items():
        setattr(objective, name, value)
    if objective.parent is not None:
        _check_assignee(user, objective.parent, objective.assignee_unit, objective.assignee_person)
        _check_weight_left(objective.parent, objective)
    objective.full_clean(exclude=["completion", "points"])
    _check_one(objective)
    objective.save()
    return objective


def share_out(total, bases, step=Decimal("0.01")):
    """Split ``total`` into shares proportional to ``bases`` (equal when no basis is positive),
    each a multiple of ``step``, that add up to exactly ``total``: the amounts left over after
    rounding down go, one ``step`` each, to the rows with the largest remainders."""
    if not bases:
        return []
    bases = [max(Decimal(basis or 0), Decimal(0)) for basis in bases]
    if not any(bases):
        bases = [Decimal(1)] * len(bases)
    whole = sum(bases)
    steps = int((Decimal(total) / step).to_integral_value(rounding="ROUND_FLOOR"))
    exact = [Decimal(steps) * basis / whole for basis in bases]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(bases)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[: steps - sum(shares)]:
        shares[index] += 1
    rest = Decimal(total) - steps * step  # a total that is not a multiple of step
    result = [share * step for share in shares]
    if rest:
        result[by_remainder[0]] += rest
    return result


class DecompositionError(ValidationError):
    """A decomposition refused: ``rows`` holds each submitted part's errors by field (an empty
    dict for a good row), ``general`` the problems of the parts taken together."""

    def __init__(self, rows, general):
        self.rows, self.general = rows, general
        flat = {
            NON_FIELD_ERRORS: list(general)
            + [
                _("Row %(row)s: %(message)s") % {"row": index + 1, "message": message}
                for index, errors in enumerate(rows)
                for messages in errors.values()
                for message in messages
            ]
        }
        super().__init__(flat)


def _part_key(unit, person):
    return (unit.pk, person.pk if person else None)


@transaction.atomic
def decompose_objective(user, objective, parts):
    """分解目标 in one step: write every part of ``objective`` from a table of rows
    (``assignee_unit``, ``assignee_person``, ``weight``, ``target``, ``due_date``), all or none.

    A row naming an existing draft part updates it (at zero weight, removes it); a published
    part changes only through revise_objective, so a row may repeat it unchanged but not alter
    it. A new row at zero weight is not created. Every row is checked by the rules of
    add_objective and the parts together by those of publishing (rule_violations); every
    problem is reported at once as a DecompositionError, and nothing is written.
    """
    objective = (
        Objective.objects.select_for_update(of=("self",)).with_details().get(pk=objective.pk)
    )
    _require_editable(objective.plan)
    _require_staff_over(user, objective.assignee_unit)
    existing = {
        (child.assignee_unit_id, child.assignee_person_id): child
        for child in objective.children.select_related("assignee_unit", "plan__period").annotate(
            part_count=Count("children")
        )
    }
    rows, seen, writes, removals = [], set(), [], []
    for part in parts:
        errors, remove, child = _check_row(user, objective, part, existing, seen)
        rows.append(errors)
        if child is not None:
            (removals if remove else writes).append(child)
    kept = {child.pk: child for child in existing.values()}
    for removed in removals:
        kept.pop(removed.pk)
    for part in writes:
        kept[part.pk or id(part)] = part
    general = _sum_problems(objective, list(kept.values())) if kept else []
    if any(rows) or general:
        raise DecompositionError(rows, general)
    Objective.objects.filter(pk__in=[part.pk for part in removals]).delete()
    for part in writes:
        part.save()
    return sorted(kept.values(), key=lambda part: (part.assignee_unit.path, part.pk or 0))


def _check_row(user, parent, part, existing, seen):
    """One row of a decomposition: its errors by field, whether it removes a part, and the
    part to save or remove (None when the row writes nothing)."""
    person = part.get("assignee_person")
    # A person's row without a unit is a personal part in the parent's own unit (个人目标).
    unit = part.get("assignee_unit") or (parent.assignee_unit if person else None)
    weight = part.get("weight") or Decimal(0)
    errors = defaultdict(list)
    if unit is None:
        return {"assignee_unit": [_("Choose the unit this part goes to.")]}, False, None
    key = _part_key(unit, person)
    if key in seen:
        twice = _("This unit or person appears twice in the table.")
        return {"assignee_unit": [twice]}, False, None
    seen.add(key)
    current = existing.get(key)
    if current is None and weight == 0:
        return {}, False, None
    if current is not None and current.is_published:
        changed = weight != current.weight or part.get("target", current.target) != current.target
        if changed:
            errors["weight"].append(
                _("This part is published: change it through a revision with a reason.")
            )
        return dict(errors), False, None
    if current is not None and weight == 0:
        if current.part_count:
            errors["weight"].append(_("This part is split further; it cannot be removed."))
            return dict(errors), False, None
        return {}, True, current
    child = current or Objective(
        plan=parent.plan,
        parent=parent,
        depth=parent.depth + 1,
        title=parent.title,
        assignee_unit=unit,
        assignee_person=person,
        **{name: getattr(parent, name) for name in INHERITED_FIELDS},
    )
    child.parent = parent
    child.weight = weight
    child.target = part.get("target")
    child.due_date = part.get("due_date") or (current.due_date if current else parent.due_date)
    for check in (
        lambda: _check_assignee(user, parent, unit, person),
        # The related rows are known to exist: the parent's, and ids resolved in scope.
        lambda: child.full_clean(exclude=["completion", "points", *RELATED]),
        lambda: _check_one(child),
    ):
        try:
            check()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    if message not in errors[field]:
                        errors[field].append(message)
    return dict(errors), False, child


def assignable(user, objective):
    """Who ``user`` may hand a part of ``objective`` to, as (unit, person) pairs: each unit
    directly below the objective's unit within the user's area, then each person working in
    the objective's unit itself (a personal part, 个人目标)."""
    unit = objective.assignee_unit
    units = OrgUnit.objects.for_user(user).filter(parent=unit).order_by("path")
    people = (
        User.objects.for_user(user)
        .filter(is_active=True, memberships__unit=unit, memberships__role__in=WORKING_ROLES)
        .distinct()
        .order_by("username")
    )
    return [(child, None) for child in units] + [(unit, person) for person in people]


MAX_FIGURES_BYTES = 1024 * 1024
MAX_FIGURE_ROWS = 2000


def read_figures(upload, codes):
    """The basis figures of a decomposition from an uploaded .xlsx or .csv: unit code in the
    first column, figure in the second, an optional header row. Returns ({code: figure},
    problems), each problem naming its row; ``codes`` are the units the table lists."""
    name = upload.name.lower()
    if name.endswith(".csv"):
        if upload.size > MAX_FIGURES_BYTES:
            raise ValidationError(_("The file is too large; at most 1 MB."))
        lines = _csv_lines(upload)
    else:
        sniff_upload(upload, allowed={XLSX_CONTENT_TYPE: "xlsx"}, max_bytes=MAX_FIGURES_BYTES)
        lines = _xlsx_lines(upload)
    figures, problems = {}, []
    for number, values in lines:
        code = str(values[0] if values else "").strip()
        raw = values[1] if len(values) > 1 else None
        if not code and raw in (None, ""):
            continue
        message = None
        try:
            figure = Decimal(str(raw).strip().replace(",", ""))
        except ArithmeticError:
            if number == 1:  # a header row
                continue
            message = _("“%(value)s” is not a number.") % {"value": raw if raw else ""}
        else:
            if not figure.is_finite() or figure < 0:
                message = _("The figure must be a number of at least zero.")
            elif code not in codes:
                message = _("Unit code %(code)s is not a row of this table.") % {"code": code}
            elif code in figures:
                message = _("Unit code %(code)s appears twice.") % {"code": code}
        if message:
            problems.append(_("Row %(row)s: %(message)s") % {"row": number, "message": message})
        else:
            figures[code] = figure
    return figures, problems


def _csv_lines(upload):
    content = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The file cannot be read as text (UTF-8 or GBK)."))
    rows = csv.reader(text.splitlines())
    return list(enumerate(islice(rows, MAX_FIGURE_ROWS), start=1))


def _xlsx_lines(upload):
    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    # A damaged workbook fails in many ways (zip, XML, missing parts); all mean the same here.
    except Exception as error:
        raise ValidationError(
            _("“%(name)s” cannot be opened as an Excel workbook.") % {"name": upload.name}
        ) from error
    try:
        rows = workbook.worksheets[0].iter_rows(max_col=2, values_only=True)
        return [
            (number, ["" if value is None else value for value in row])
            for number, row in enumerate(islice(rows, MAX_FIGURE_ROWS), start=1)
        ]
    finally:
        workbook.close()
