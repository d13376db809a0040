"""考核: schemes (an indicator tree with parts, rules, result rules and vetoes), the scores
assessors enter by hand, and the results the engine writes per unit (or person) and round."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.assessment.querysets import (
    EvidenceQuerySet,
    ResultQuerySet,
    SchemeQuerySet,
    SchemeRowQuerySet,
)
from apps.core.models import SHORT_TEXT, ScopedModel, StoredFile, TimeStampedModel
from apps.core.uploads import private_storage
from apps.organizations.models import OrgUnit, Period

POINTS = {"max_digits": 8, "decimal_places": 2}


class Level(models.TextChoices):
    TOWNSHIP = "township", _("Townships")
    DEPARTMENT = "department", _("Departments")
    PERSON = "person", _("Individual executive members")
    COUNTY = "county", _("Counties")
    PREFECTURE = "prefecture", _("Prefectures")


class Round(models.TextChoices):
    """自评 → 初评 → 复评 → 审定, in this order."""

    SELF = "self", _("Self-assessment")
    INITIAL = "initial", _("Initial review")
    REVIEW = "review", _("Second review")
    FINAL = "final", _("Final approval")


ROUND_ORDER = [Round.SELF, Round.INITIAL, Round.REVIEW, Round.FINAL]


class AssessmentScheme(ScopedModel):
    """考核方案 of a period and level, owned by the federation unit that runs it (its
    ``unit``); the units it scores are the townships or departments under that unit."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    base_points = models.DecimalField(_("base points"), default=0, **POINTS)
    bonus_cap = models.DecimalField(_("bonus cap"), default=0, **POINTS)
    result_rule = models.JSONField(_("result rule"), default=dict, blank=True)
    vetoes = models.JSONField(_("vetoes"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-period__start_date", "title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessment:scheme-detail", args=[self.pk])


class SchemePart(models.Model):
    """A weighted part (平时 60%, 年终 40% …); the weights of a scheme's parts add up to 100."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(_("weight (%)"), **POINTS)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.name} {self.weight}%"


class Indicator(models.Model):
    """One node of the indicator tree: a category (with children) or an item."""

    class Kind(models.TextChoices):
        DATA = "data", _("From data")
        CHECKLIST = "checklist", _("Checklist")
        INCIDENT = "incident", _("Per incident")
        MANUAL = "manual", _("Manual score")
        PANEL = "panel", _("Panel average")
        SURVEY = "survey", _("Survey")

    HAND_KINDS = (Kind.CHECKLIST, Kind.MANUAL, Kind.PANEL, Kind.SURVEY)

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    part = models.ForeignKey(
        SchemePart, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    title = models.CharField(_("title"), max_length=200)
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True)
    source = models.CharField(_("data source"), max_length=60, blank=True)
    rule = models.JSONField(_("rule"), default=dict, blank=True)
    evidence = models.TextField(_("evidence to file"), max_length=SHORT_TEXT, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_hand_scored(self):
        """Scored from what people enter, not from a module's records."""
        return self.kind in self.HAND_KINDS or (self.kind == self.Kind.INCIDENT and not self.source)


class ManualScore(TimeStampedModel):
    """A value an assessor enters for a unit (or person) on a hand-scored item in a round:
    points for checklist/manual/survey items, one panel member's points for a panel item
    (the panel's scores are averaged), the number of events for a per-incident item."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.CharField(_("round"), max_length=8, choices=Round.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("value"), **POINTS)
    reason = models.TextField(_("reason"), max_length=SHORT_TEXT, blank=True)
    evidence = models.TextField(_("evidence"), max_length=SHORT_TEXT, blank=True)

    scope_field = "unit"
    objects = SchemeRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "person", "round", "assessor"],
                nulls_distinct=False,
                name="assessment_manual_score_once",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} · {self.unit_id} · {self.round}: {self.value}"


class ScoreEvidence(StoredFile):
    """A file filed with a hand score (photos of the 阵地, minutes …), as the item's evidence
    instructions ask; read by whoever may read the score."""

    scope_field = "score__unit"

    score = models.ForeignKey(
        ManualScore, verbose_name=_("score"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to="assessment/%Y/%m/", storage=private_storage)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment evidence")
        verbose_name_plural = _("assessment evidence")
        ordering = ["pk"]

    def get_absolute_url(self):
        return reverse("assessment:evidence", args=[self.pk])


class ManualVeto(TimeStampedModel):
    """A veto an assessor records against one unit (or person) of a scheme, for an event no
    module records (造成不良影响 …): the result keeps its score but is not eligible for awards."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="manual_vetoes"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope_field = "unit"
    objects = SchemeRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("veto")
        verbose_name_plural = _("vetoes")
        ordering = ["unit__path", "pk"]

    def __str__(self):
        return f"{self.unit} · {self.reason}"


class AssessmentResult(TimeStampedModel):
    """One unit's (or person's) result under a scheme in a round; written by the engine."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.CharField(_("round"), max_length=8, choices=Round.choices)
    total = models.DecimalField(_("total"), **POINTS)
    bonus = models.DecimalField(_("bonus"), default=0, **POINTS)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=30, blank=True)
    eligible = models.BooleanField(_("eligible for awards"), default=True)
    veto_reasons = models.JSONField(_("veto reasons"), default=list, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    scope_field = "unit"
    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["scheme", "round", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "unit", "person", "round"],
                nulls_distinct=False,
                name="assessment_result_once",
            )
        ]
        indexes = [
            # The units' results of a round (a dashboard's ranking), without scanning a
            # province's 执委 results of the same scheme. Not by rank: a rescoring that moves a
            # person's rank then rewrites her row in place, with no index to update.
            models.Index(
                fields=["scheme", "round"],
                condition=models.Q(person=None),
                name="assessment_result_units",
            ),
            # The approved results of a round, which each part of a night's scoring leaves as
            # they are: without it, every county's part read its scheme's 220,000 results.
            models.Index(
                fields=["scheme", "round"],
                condition=models.Q(approved_at__isnull=False),
                name="assessment_result_approved",
            ),
        ]

    def __str__(self):
        return f"{self.scheme} · {self.unit} · {self.get_round_display()}"

    def get_absolute_url(self):
        return reverse("assessment:result-detail", args=[self.pk])


class AssessmentLine(models.Model):
    """A result's breakdown row per indicator: ``points`` on the indicator's own scale,
    ``contribution`` what it adds to the total after its part's weight (root rows add up to
    the total with the base and the bonus)."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    max_points = models.DecimalField(**POINTS)
    raw = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=4)
    points = models.DecimalField(**POINTS)
    contribution = models.DecimalField(**POINTS)
    sources = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["result", "indicator"], name="assessment_line_once")
        ]

    def __str__(self):
        return f"{self.indicator_id}: {self.points}"
