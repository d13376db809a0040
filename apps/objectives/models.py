"""Objective management: 确立目标 → 分解目标 → 组织实施 → 考核奖励.

A plan (目标责任书) for a period holds a tree of objectives. Leaves are reported on; approved
progress rolls up the tree; scoring turns completion into points per unit and person; at
period close grades, rankings and reward proposals follow.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import LONG_TEXT, SHORT_TEXT, ScopedModel, StoredFile
from apps.core.uploads import private_storage
from apps.objectives.querysets import (
    EvidenceQuerySet,
    ObjectivePlanQuerySet,
    ObjectiveQuerySet,
    ProgressReportQuerySet,
    RewardQuerySet,
    UnitScoreQuerySet,
)
from apps.organizations.models import OrgUnit, Period

POINTS = {"max_digits": 8, "decimal_places": 2}
RATIO = {"max_digits": 7, "decimal_places": 4}
VALUE = {"max_digits": 14, "decimal_places": 2}


class ObjectivePlan(ScopedModel):
    """目标责任书: the objectives one unit sets for a period, and the rules they are scored by."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="plans"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    completion_cap = models.DecimalField(
        _("completion cap"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.20"),
        validators=[MinValueValidator(Decimal("1.00"))],
        help_text=_("Completion above the target counts up to this ratio (1.20 = 120%)."),
    )
    innovation_cap = models.DecimalField(
        _("innovation bonus cap per unit"),
        **POINTS,
        default=Decimal("5"),
        validators=[MinValueValidator(0)],
    )
    late_report_deduction = models.DecimalField(
        _("deduction per late report"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.10"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of the objective's weight lost for each late report (0.10 = 10%)."),
    )
    report_grace_days = models.PositiveSmallIntegerField(
        _("days to report after a cycle ends"), default=5
    )
    excellent_from = models.DecimalField(_("excellent from"), **POINTS, default=Decimal("90"))
    good_from = models.DecimalField(_("good from"), **POINTS, default=Decimal("80"))
    pass_from = models.DecimalField(_("pass from"), **POINTS, default=Decimal("60"))
    collective_awards = models.PositiveSmallIntegerField(
        _("advanced collectives per level"), default=3
    )
    individual_awards = models.PositiveSmallIntegerField(_("advanced individuals"), default=5)
    innovation_awards = models.PositiveSmallIntegerField(_("innovation awards"), default=3)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ObjectivePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("objective plan")
        verbose_name_plural = _("objective plans")
        ordering = ["-period__start_date", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"],
                name="plan_one_per_unit_and_period",
                violation_error_message=_("This unit already has a plan for this period."),
            ),
            models.CheckConstraint(
                condition=models.Q(excellent_from__gte=models.F("good_from"))
                & models.Q(good_from__gte=models.F("pass_from")),
                name="plan_grade_thresholds_ordered",
                violation_error_message=_("Grade thresholds must run excellent ≥ good ≥ pass."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("objectives:plan-detail", args=[self.pk])

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class Objective(ScopedModel):
    """One objective in a plan's tree, assigned to a unit and optionally to one person there.

    Quantitative objectives carry a baseline, a target and a direction; milestones carry a
    rubric of levels, each worth a share of completion. ``completion`` and ``points`` hold the
    latest roll-up and score.
    """

    class Category(models.TextChoices):
        ORGANIZATION = "organization", _("Organisation building")
        RIGHTS = "rights", _("Rights protection and services")
        DEVELOPMENT = "development", _("Development")
        FAMILY = "family", _("Family values")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("Quantitative")
        MILESTONE = "milestone", _("Milestone")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    scope_field = "assignee_unit"

    plan = models.ForeignKey(
        ObjectivePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="objectives"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent objective"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        db_index=False,  # objective_parent_plan leads with it
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    kind = models.CharField(
        _("indicator type"), max_length=12, choices=Kind.choices, default=Kind.QUANTITATIVE
    )
    measure_unit = models.CharField(_("unit of measure"), max_length=20, blank=True)
    baseline = models.DecimalField(_("baseline"), **VALUE, null=True, blank=True)
    target = models.DecimalField(_("target"), **VALUE, null=True, blank=True)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    additive = models.BooleanField(
        _("additive"),
        default=True,
        help_text=_("The parts' targets add up to the whole (counts); not for rates."),
    )
    rubric = models.JSONField(
        _("scoring rubric"),
        default=list,
        blank=True,
        help_text=_("Milestone levels in order, each with the share of completion it earns."),
    )
    weight = models.DecimalField(
        _("weight (points)"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))]
    )
    due_date = models.DateField(_("due date"))
    report_frequency = models.CharField(
        _("reporting frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.QUARTERLY,
    )
    assignee_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    assignee_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    completion = models.DecimalField(_("completion"), **RATIO, null=True, blank=True)
    points = models.DecimalField(_("points"), **POINTS, null=True, blank=True)
    deductions = models.DecimalField(_("deductions"), **POINTS, default=Decimal(0))

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan", "depth", "category", "pk"]
        indexes = [
            models.Index(fields=["plan", "depth"], name="objective_plan_depth"),
            # An objective's children within its plan (leaves() and parents()): with only the
            # plan's index to choose from, PostgreSQL may read the whole plan for each row.
            models.Index(fields=["parent", "plan"], name="objective_parent_plan"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("objectives:objective-detail", args=[self.pk])

    @property
    def is_published(self):
        return self.published_at is not None

    @property
    def is_milestone(self):
        return self.kind == self.Kind.MILESTONE

    @property
    def rubric_levels(self):
        """The rubric as (label, completion) pairs."""
        return [(level["label"], Decimal(str(level["completion"]))) for level in self.rubric]


class ObjectiveRevision(ScopedModel):
    """A recorded change to a published objective's target or weight, with its reason."""

    scope_field = "objective__assignee_unit"

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="revisions"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT
    )
    reason = models.TextField(_("reason"), max_length=SHORT_TEXT)
    changes = models.JSONField(_("changes"))

    class Meta:
        verbose_name = _("objective revision")
        verbose_name_plural = _("objective revisions")
        ordering = ["-created_at"]


class Reviewed(models.Model):
    """A record someone else decides on (approves, returns, awards …): who, when and why."""

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), max_length=SHORT_TEXT, blank=True)

    class Meta:
        abstract = True

    def record_review(self, user, status, comment="", **changes):
        """Move to ``status`` on ``user``'s decision and save what changed."""
        self.status = status
        self.reviewed_by, self.reviewed_at = user, timezone.now()
        self.review_comment = comment.strip()
        for field, value in changes.items():
            setattr(self, field, value)
        self.save(
            update_fields=[
                "status",
                "reviewed_by",
                "reviewed_at",
                "review_comment",
                "updated_at",
                *changes,
            ]
        )


class ProgressReport(ScopedModel, Reviewed):
    """An assignee's report on a leaf objective for one reporting cycle; the parent unit
    approves it or returns it with a comment."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    scope_field = "objective__assignee_unit"

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="reports"
    )
    cycle_end = models.DateField(_("reporting cycle ending"))
    value = models.DecimalField(_("cumulative value"), **VALUE, null=True, blank=True)
    rubric_level = models.CharField(_("milestone level"), max_length=100, blank=True)
    completion = models.DecimalField(_("completion"), **RATIO)
    narrative = models.TextField(_("narrative"), max_length=LONG_TEXT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    is_late = models.BooleanField(_("late"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-cycle_end", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "cycle_end"],
                name="report_one_per_objective_and_cycle",
                violation_error_message=_("This cycle has already been reported."),
            ),
        ]
        # The reviewers' to-do lists read the few reports awaiting review, oldest first, out of
        # a province's millions.
        indexes = [
            models.Index(
                fields=["submitted_at", "id"],
                name="report_awaiting_review",
                condition=models.Q(status="submitted"),
            )
        ]

    def __str__(self):
        return f"{self.objective} · {self.cycle_end}"

    def get_absolute_url(self):
        return reverse("objectives:report-detail", args=[self.pk])


class Evidence(StoredFile):
    """A file backing a progress report or an innovation claim; stored privately and served
    only to people in scope."""

    scope_field = "report__objective__assignee_unit"

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    innovation_item = models.ForeignKey(
        "InnovationItem",
        verbose_name=_("innovation item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", storage=private_storage)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False) ^ models.Q(innovation_item__isnull=False),
                name="evidence_belongs_to_one_record",
            ),
        ]

    def get_absolute_url(self):
        """The download, for whoever may see the record it backs."""
        return reverse("objectives:evidence", args=[self.pk])


class InnovationItem(ScopedModel, Reviewed):
    """创新加分项: an innovative practice a unit or person claims, reviewed and awarded points
    within the plan's cap per unit."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Awaiting review")
        AWARDED = "awarded", _("Awarded")
        REJECTED = "rejected", _("Not awarded")

    plan = models.ForeignKey(
        ObjectivePlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="innovation_items",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="innovations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="innovations",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=LONG_TEXT)
    claimed_points = models.DecimalField(
        _("points claimed"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))]
    )
    awarded_points = models.DecimalField(_("points awarded"), **POINTS, default=Decimal(0))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CLAIMED
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("innovation item")
        verbose_name_plural = _("innovation items")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """Items are read and reviewed on their plan's innovation list."""
        return reverse("objectives:innovation-list", args=[self.plan_id])


class UnitScore(ScopedModel):
    """A scoring snapshot for a unit (or a person) under a plan; frozen when the plan closes.

    ``score`` is on a 100-point scale: objective points earned over points assigned, plus
    awarded innovation points (capped), minus deductions.
    """

    class Level(models.TextChoices):
        TOWNSHIP = "township", _("Township")
        VILLAGE = "village", _("Village")
        DEPARTMENT = "department", _("Department")
        PERSON = "person", _("Individual")
        # A prefecture's plan scores its counties, a province's its prefectures.
        COUNTY = "county", _("County")
        PREFECTURE = "prefecture", _("Prefecture")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    plan = models.ForeignKey(
        ObjectivePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="scores"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="scores"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scores",
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    assigned_points = models.DecimalField(_("points assigned"), **POINTS)
    objective_points = models.DecimalField(_("objective points"), **POINTS)
    innovation_points = models.DecimalField(_("innovation points"), **POINTS)
    deduction_points = models.DecimalField(_("deductions"), **POINTS)
    score = models.DecimalField(_("score"), **POINTS)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    frozen = models.BooleanField(_("frozen"), default=False)

    objects = UnitScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["plan", "level", "rank"]
        constraints = [
            # One row per unit (person empty) and per person; NULLs equal so upserts match.
            models.UniqueConstraint(
                fields=["plan", "unit", "person"],
                nulls_distinct=False,
                name="score_one_per_unit_or_person",
            ),
        ]

    def __str__(self):
        return f"{self.person or self.unit} · {self.score}"

    def get_absolute_url(self):
        return reverse("objectives:score-detail", args=[self.pk])

    def _per_hundred(self, points):
        return (
            (points / self.assigned_points * 100).quantize(Decimal("0.01"))
            if self.assigned_points
            else Decimal(0)
        )

    @property
    def objective_score(self):
        """What the objectives earned, on the 100-point scale."""
        return self._per_hundred(self.objective_points)

    @property
    def deduction_score(self):
        """What late reports cost, on the 100-point scale."""
        return self._per_hundred(self.deduction_points)


class Reward(ScopedModel):
    """A reward proposal generated by the plan's rules at close: confirmed by a county admin,
    approved by a leader, then published to the whole county. A leader may send a confirmed
    reward back to the county staff, and county staff may reject a proposal, with a reason."""

    class Kind(models.TextChoices):
        COLLECTIVE = "collective", _("Advanced collective")
        INDIVIDUAL = "individual", _("Advanced individual")
        INNOVATION = "innovation", _("Innovation award")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    plan = models.ForeignKey(
        ObjectivePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="rewards"
    )
    kind = models.CharField(_("award"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="rewards"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewards",
    )
    innovation_item = models.ForeignKey(
        InnovationItem,
        verbose_name=_("innovation item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewards",
    )
    basis = models.CharField(_("basis"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The last time it was sent back (by a leader) or rejected (by county staff), and why.
    return_reason = models.CharField(_("reason sent back"), max_length=300, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent back by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("sent back at"), null=True, blank=True)

    objects = RewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["plan", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "unit"],
                condition=models.Q(person__isnull=True, innovation_item__isnull=True),
                name="reward_once_per_unit",
                violation_error_message=_("This unit already has this reward for the plan."),
            ),
            models.UniqueConstraint(
                fields=["plan", "kind", "person"],
                condition=models.Q(person__isnull=False),
                name="reward_once_per_person",
                violation_error_message=_("This person already has this reward for the plan."),
            ),
            models.UniqueConstraint(
                fields=["plan", "kind", "innovation_item"],
                condition=models.Q(innovation_item__isnull=False),
                name="reward_once_per_innovation",
                violation_error_message=_("This innovation already has this reward."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person or self.unit}"

    def get_absolute_url(self):
        """Rewards are read and moved on their plan's reward list."""
        return f"{reverse('objectives:reward-list')}?plan={self.plan_id}"
