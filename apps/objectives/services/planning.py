"""确立目标 and 分解目标: writing a plan, decomposing objectives, publishing, revising."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.permissions import is_staff_over
from apps.core.querysets import covers
from apps.core.roles import Role
from apps.notifications import services as notifications
from apps.objectives.models import Objective, ObjectivePlan, ObjectiveRevision

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
        url=reverse("objectives:plan-detail", args=[plan.pk]),
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
