"""组织实施: progress reports on leaf objectives, their review, and the roll-up of progress."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.permissions import WORKING_ROLES, is_staff_over, works_in
from apps.core.uploads import check_uploads
from apps.notifications import services as notifications
from apps.objectives.deadlines import OBJECTIVES, cycle_ends, report_due
from apps.objectives.models import Evidence, Objective, ProgressReport


def completion_of(objective, value=None, rubric_level=""):
    """Completion (uncapped) of ``objective`` at ``value`` or at a milestone ``rubric_level``."""
    if objective.is_milestone:
        levels = dict(objective.rubric_levels)
        if rubric_level not in levels:
            raise ValidationError(
                {
                    "rubric_level": _("Choose one of the rubric levels: %(levels)s.")
                    % {"levels": "、".join(levels)}
                }
            )
        return levels[rubric_level]
    if value is None:
        raise ValidationError({"value": _("Enter the cumulative value reached so far.")})
    if value < 0:
        raise ValidationError({"value": _("The value cannot be negative.")})
    if objective.direction == Objective.Direction.HIGHER:
        return (value / objective.target).quantize(Decimal("0.0001"))
    if value == 0:
        # Nothing of what should be low happened: as good as it gets.
        return objective.plan.completion_cap
    return (objective.target / value).quantize(Decimal("0.0001"))


def can_report(user, objective):
    """The named person reports on a personal objective; otherwise anyone working in the
    responsible unit does."""
    if objective.assignee_person_id:
        return objective.assignee_person_id == user.pk and user.has_role(*WORKING_ROLES)
    return works_in(user, objective.assignee_unit)


def reviewing_unit(objective):
    """The unit that approves reports: the one that handed the objective down."""
    return objective.parent.assignee_unit if objective.parent_id else objective.plan.unit


def can_review(user, objective):
    return is_staff_over(user, reviewing_unit(objective))


@transaction.atomic
def submit_report(user, objective, *, cycle_end, narrative, value=None, rubric_level="", files=()):
    """File (or, after a return, refile) the report for one cycle of a leaf objective."""
    objective = (
        Objective.objects.select_for_update(of=("self",)).with_details().get(pk=objective.pk)
    )
    if not can_report(user, objective):
        raise PermissionDenied(_("You can only report on objectives assigned to you or your unit."))
    if objective.plan.is_closed or objective.plan.period.is_closed:
        raise ValidationError(
            _("The period %(period)s is closed; no more reports can be filed for it.")
            % {"period": objective.plan.period}
        )
    if not objective.is_published:
        raise ValidationError(_("This objective has not been published yet."))
    if objective.children.exists():
        raise ValidationError(
            _("This objective is split into parts; each part reports on its own.")
        )
    if cycle_end not in cycle_ends(objective):
        raise ValidationError({"cycle_end": _("Not a reporting cycle of this objective.")})
    if not narrative or not narrative.strip():
        raise ValidationError({"narrative": _("Describe what was done.")})
    checked = check_uploads(files)
    completion = completion_of(objective, value, rubric_level)

    now = timezone.now()
    report = ProgressReport.objects.filter(objective=objective, cycle_end=cycle_end).first()
    if report is not None and report.status != ProgressReport.Status.RETURNED:
        raise ValidationError({"cycle_end": _("This cycle has already been reported.")})
    report = report or ProgressReport(objective=objective, cycle_end=cycle_end)
    report.value = value if not objective.is_milestone else None
    report.rubric_level = rubric_level if objective.is_milestone else ""
    report.completion = completion
    report.narrative = narrative.strip()
    report.status = ProgressReport.Status.SUBMITTED
    report.is_late = report.is_late or timezone.localdate(now) > report_due(objective, cycle_end)
    report.submitted_by = user
    report.submitted_at = now
    report.save()
    Evidence.store(checked, user, report=report)
    return report


def _locked(report):
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("objective__plan", "objective__parent__assignee_unit")
        .get(pk=report.pk)
    )


def _require_reviewer(user, report):
    if not can_review(user, report.objective):
        raise PermissionDenied(_("Only staff of the unit that assigned this objective review it."))
    if report.submitted_by_id == user.pk:
        raise PermissionDenied(_("You cannot review your own report."))
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed."))


@transaction.atomic
def approve_report(user, report, comment=""):
    report = _locked(report)
    _require_reviewer(user, report)
    report.record_review(user, ProgressReport.Status.APPROVED, comment)
    roll_up(report.objective)
    return report


@transaction.atomic
def return_report(user, report, comment):
    report = _locked(report)
    _require_reviewer(user, report)
    if not comment or not comment.strip():
        raise ValidationError({"comment": _("Say what needs to change.")})
    report.record_review(user, ProgressReport.Status.RETURNED, comment)
    notifications.notify(
        report.submitted_by,
        f"report-returned:{report.pk}:{report.reviewed_at:%Y%m%d%H%M%S}",
        _("Progress report returned: %(objective)s") % {"objective": report.objective},
        body=report.review_comment,
        url=report.objective.get_absolute_url(),
    )
    return report


def roll_up(leaf):
    """Set the leaf's completion from its latest approved report, then each ancestor's as the
    weighted average of its parts (a part not yet reported counts as zero)."""
    latest = (
        leaf.reports.filter(status=ProgressReport.Status.APPROVED)
        .order_by("-cycle_end")
        .values_list("completion", flat=True)
        .first()
    )
    leaf.completion = latest
    leaf.save(update_fields=["completion", "updated_at"])
    node = leaf.parent
    while node is not None:
        parts = list(node.children.values_list("weight", "completion"))
        total = sum((weight for weight, _ in parts), Decimal(0))
        earned = sum((weight * (completion or 0) for weight, completion in parts), Decimal(0))
        node.completion = (earned / total).quantize(Decimal("0.0001")) if total else None
        node.save(update_fields=["completion", "updated_at"])
        node = node.parent


def light_of(objective, today=None):
    """The objective's green / yellow / red from the deadline engine (see ``status_of``)."""
    return OBJECTIVES.status_of(objective, today).light


def status_of(objective, today=None):
    """The engine's light and reason for ``objective``: due date, and approved progress against
    the even pace up to its last reportable cycle."""
    return OBJECTIVES.status_of(objective, today)
