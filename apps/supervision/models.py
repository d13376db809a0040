"""督查督办: supervised items handed by the county to a lead unit (township or department) with
cooperating units, on two clocks (签收, then 办结 by the deadline), with requests, 催办,
三色督办单 and an operation log of every step."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import LONG_TEXT, SHORT_TEXT, ScopedModel, StoredFile, TimeStampedModel
from apps.core.uploads import private_storage
from apps.organizations.models import OrgUnit
from apps.supervision.querysets import (
    InspectionPartQuerySet,
    InspectionQuerySet,
    ItemPartQuerySet,
    RectificationQuerySet,
    SupervisionItemQuerySet,
)

UNIT_KINDS = (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.DEPARTMENT)


class Colour(models.TextChoices):
    """三色督办单, lowest first: each level is issued when the one before is missed."""

    BLUE = "blue", _("Blue slip")
    YELLOW = "yellow", _("Yellow slip")
    RED = "red", _("Red slip")


SLIP_LEVEL = {"": 0, Colour.BLUE: 1, Colour.YELLOW: 2, Colour.RED: 3}

APPROVAL_STATES = [
    ("pending", pgettext_lazy("approval", "Waiting for approval")),
    ("approved", pgettext_lazy("approval", "Approved")),
    ("returned", pgettext_lazy("approval", "Returned")),
]

PROGRESS_CYCLES = [
    ("monthly", _("Monthly")),
    ("quarterly", _("Quarterly")),
    ("half_yearly", _("Half-yearly")),
]


class SupervisionItem(ScopedModel):
    """督办事项: work the county hands to a lead unit (主办) and cooperating units (协办)."""

    class Source(models.TextChoices):
        SUPERIOR = "superior", _("Assigned by a higher level")  # 上级交办
        GOVERNMENT = "government", _("Party and government deployment")  # 党委政府部署
        MEETING = "meeting", _("Joint meeting decision")  # 联席会议议定
        PETITION = "petition", _("Public petition")  # 群众诉求

    class Priority(models.TextChoices):
        NORMAL = "normal", pgettext_lazy("priority", "Normal")
        URGENT = "urgent", _("Urgent")

    class State(models.TextChoices):
        ASSIGNED = "assigned", pgettext_lazy("supervision", "Assigned")  # 交办
        IN_PROGRESS = "in_progress", pgettext_lazy("supervision", "In progress")  # 签收后办理中
        FEEDBACK = "feedback", pgettext_lazy("supervision", "Feedback submitted")  # 反馈
        CLOSED = "closed", pgettext_lazy("supervision", "Closed")  # 办结
        SUSPENDED = "suspended", pgettext_lazy("supervision", "Suspended")  # 中止
        STAGE_COMPLETED = "stage_completed", _("Stage completed")  # 阶段性办结

    class Evaluation(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    OPEN_STATES = (State.ASSIGNED, State.IN_PROGRESS)
    # The supervisor may still urge, slip, return or close these.
    LIVE_STATES = (State.ASSIGNED, State.IN_PROGRESS, State.FEEDBACK)

    scope_field = "lead_unit"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("request"), max_length=LONG_TEXT)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    lead_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="supervision_items",
    )
    cooperating_units = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("cooperating units"),
        blank=True,
        related_name="cooperating_supervision_items",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.ASSIGNED
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    accept_due = models.DateTimeField(_("accept by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(_("original deadline"))
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    evaluation = models.CharField(
        _("evaluation"), max_length=20, choices=Evaluation.choices, blank=True
    )
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    slip = models.CharField(_("slip"), max_length=8, choices=Colour.choices, blank=True)
    # When the current slip is missed and the next one is issued (see services.escalate).
    slip_due = models.DateTimeField(_("slip answer due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 联席会议议定: the joint-meeting decision this item took over, kept for good.
    meeting_decision = models.OneToOneField(
        "coordination.MeetingDecision",
        verbose_name=_("joint-meeting decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_item",
    )
    # Recurring progress feedback (see ProgressDue): empty for none.
    progress_cycle = models.CharField(
        _("progress feedback"), max_length=12, choices=PROGRESS_CYCLES, blank=True
    )
    progress_day = models.PositiveSmallIntegerField(
        _("progress feedback by day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # 肯定性批示: a leader's commendation on closing, recorded by county admins.
    commendation = models.TextField(_("leader's commendation"), max_length=SHORT_TEXT, blank=True)
    commended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commending leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commended_by_name = models.CharField(_("commending leader's name"), max_length=100, blank=True)
    commended_on = models.DateField(_("commended on"), null=True, blank=True)

    objects = SupervisionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervised item")
        verbose_name_plural = _("supervised items")
        ordering = ["-assigned_at", "-pk"]
        indexes = [
            models.Index(fields=["lead_unit", "state"], name="supervision_lead_state"),
            models.Index(fields=["state", "deadline"], name="supervision_state_deadline"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("supervision:item-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @property
    def accept_missed(self):
        """领办逾期: taken on after its 签收 limit (or not yet, and the limit has passed)."""
        from django.utils import timezone

        return (self.accepted_at or timezone.now()) > self.accept_due

    @property
    def fed_back_late(self):
        from django.utils import timezone

        return bool(self.feedback_at) and timezone.localdate(self.feedback_at) > self.deadline


class ItemFeedback(TimeStampedModel):
    """反馈: the lead unit's answer for the whole item, or a cooperating unit's part of it."""

    item = models.ForeignKey(
        SupervisionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="feedbacks"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField(_("from the lead unit"), default=False)
    text = models.TextField(_("feedback"), max_length=LONG_TEXT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A period's progress feedback; empty for the item's (final) feedback.
    progress = models.ForeignKey(
        "ProgressDue",
        verbose_name=_("progress period"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedbacks",
    )
    # Where the lead unit's feedback needs its leader's approval (UnitSupervisionSetting).
    approval = models.CharField(_("approval"), max_length=10, choices=APPROVAL_STATES, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.TextField(_("reason for returning"), max_length=SHORT_TEXT, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.unit.name} · {self.created_at:%Y-%m-%d}"


class ItemRequest(TimeStampedModel):
    """A request before the deadline: 延期 (with a new date), 中止 or 阶段性办结, approved or
    returned by the supervisor."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("Extension")
        SUSPENSION = "suspension", _("Suspension")
        STAGE_COMPLETION = "stage_completion", _("Stage completion")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("request", "Pending")
        APPROVED = "approved", pgettext_lazy("request", "Approved")
        RETURNED = "returned", pgettext_lazy("request", "Returned")

    item = models.ForeignKey(
        SupervisionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    new_deadline = models.DateField(_("new deadline"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=SHORT_TEXT)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decide_due = models.DateTimeField(_("decide by"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), max_length=SHORT_TEXT, blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(state="pending"),
                name="supervision_one_pending_request",
            )
        ]

    def __str__(self):
        return f"{self.item} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return self.item.get_absolute_url()


class Slip(ScopedModel):
    """督办单: a blue, yellow or red slip issued to the lead unit; yellow and red ones count
    against the unit (黄牌警告)."""

    item = models.ForeignKey(
        SupervisionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="slips"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="supervision_slips"
    )
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    reason = models.TextField(_("reason"), max_length=SHORT_TEXT, blank=True)
    # Empty when the reminder run issued it.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_field = "item__lead_unit"
    objects = ItemPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision slip")
        verbose_name_plural = _("supervision slips")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "colour"], name="supervision_slip_once")
        ]

    def __str__(self):
        return f"{self.item} · {self.get_colour_display()}"

    def get_absolute_url(self):
        return reverse("supervision:slip-print", args=[self.pk])


class ItemLog(models.Model):
    """One step in an item's life: who (empty for the scheduled run), when, what, and text."""

    class Action(models.TextChoices):
        ASSIGN = "assign", _("Assigned")
        ACCEPT = "accept", pgettext_lazy("supervision log", "Accepted")
        FEEDBACK = "feedback", _("Fed back")
        COOPERATION = "cooperation", _("Cooperating unit fed back")
        REQUEST = "request", _("Request submitted")
        APPROVE_REQUEST = "approve_request", _("Request approved")
        RETURN_REQUEST = "return_request", _("Request returned")
        RETURN = "return", _("Returned for rework")
        CLOSE = "close", pgettext_lazy("supervision log", "Closed")
        URGE = "urge", _("Urged")
        SLIP = "slip", _("Slip issued")
        PROGRESS = "progress", _("Progress fed back")
        APPROVE_FEEDBACK = "approve_feedback", _("Feedback approved")
        RETURN_FEEDBACK = "return_feedback", _("Feedback returned by the unit leader")
        COMMEND = "commend", _("Leader's commendation")

    item = models.ForeignKey(
        SupervisionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="log"
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    automatic = models.BooleanField(_("automatic"), default=False)
    text = models.TextField(_("text"), max_length=LONG_TEXT, blank=True)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("operation log")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.item} · {self.get_action_display()}"


class Attachment(StoredFile):
    """A file with the request (from the supervisor) or with a feedback; stored privately and
    served only to people who may open the item."""

    scope_field = "item__lead_unit"

    item = models.ForeignKey(
        SupervisionItem,
        verbose_name=_("item"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    feedback = models.ForeignKey(
        ItemFeedback,
        verbose_name=_("feedback"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="supervision/%Y/%m/", storage=private_storage)

    objects = ItemPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def get_absolute_url(self):
        return reverse("supervision:attachment", args=[self.pk])


# --- recurring progress feedback, leader approval of feedback, commendation (issue 10) -------


class ProgressDue(models.Model):
    """One period's progress feedback (阶段进展反馈): due by ``due``, met when the lead unit's
    progress feedback for it reaches the supervisor (after approval where the unit needs it).
    Missed (not met, or met after ``due``) counts as 逾期 in the reports."""

    item = models.ForeignKey(
        SupervisionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="progress"
    )
    due = models.DateField(_("progress feedback due"))
    fed_back_at = models.DateTimeField(_("progress fed back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("progress feedback due")
        verbose_name_plural = _("progress feedback due")
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "due"], name="supervision_progress_once")
        ]

    def __str__(self):
        return f"{self.item} · {self.due:%Y-%m-%d}"

    def get_absolute_url(self):
        return self.item.get_absolute_url()

    @property
    def late(self):
        from django.utils import timezone

        if self.fed_back_at is None:
            return timezone.localdate() > self.due
        return timezone.localdate(self.fed_back_at) > self.due


class UnitSupervisionSetting(models.Model):
    """Per township or department, kept by county admins: whether the unit's feedback must be
    approved by one of its named approvers (its own leaders, members of the unit) before it
    reaches the supervisor. Off by default (no row: off)."""

    unit = models.OneToOneField(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="supervision_setting",
    )
    requires_approval = models.BooleanField(_("feedback needs the unit leader's approval"))
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approvers"),
        blank=True,
        related_name="supervision_approvals",
    )

    class Meta:
        verbose_name = _("unit supervision setting")
        verbose_name_plural = _("unit supervision settings")
        ordering = ["unit__path"]

    def __str__(self):
        return self.unit.name


# --- 督查 and 整改 -------------------------------------------------------------------------------


class Inspection(ScopedModel):
    """督查: a county team's visit to a township or department, with a checklist of what was
    checked (rows ``{"item": ..., "finding": ...}``), the findings, and the rectifications
    (整改) they give rise to."""

    scope_field = "unit"

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit inspected"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    held_on = models.DateField(_("inspection date"))
    # The team's names as written on the inspection record (people from other offices too).
    team = models.CharField(_("inspection team"), max_length=200)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    findings = models.TextField(_("findings"), max_length=LONG_TEXT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.unit.name} · {self.held_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("supervision:inspection-detail", args=[self.pk])


class Rectification(ScopedModel):
    """整改: one finding for an owner unit to put right by a deadline. Open → submitted (the
    owner reports what it did, with evidence) → verified (销号, by county staff) — or sent back
    to open with a reason. Only verification closes it."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("rectification", "Open")
        SUBMITTED = "submitted", pgettext_lazy("rectification", "Submitted")
        VERIFIED = "verified", pgettext_lazy("rectification", "Verified")

    scope_field = "owner"

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    text = models.TextField(_("rectification"), max_length=SHORT_TEXT)
    owner = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    report = models.TextField(_("what was done"), max_length=LONG_TEXT, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("verification comment"), max_length=SHORT_TEXT, blank=True)
    return_reason = models.TextField(_("reason for returning"), max_length=SHORT_TEXT, blank=True)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["owner", "state"], name="rectification_owner_state"),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        url = reverse("supervision:inspection-detail", args=[self.inspection_id])
        return f"{url}#rectification-{self.pk}"

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def is_closed(self):
        return self.state == self.State.VERIFIED


class InspectionAttachment(StoredFile):
    """A file with an inspection (its record), or with a rectification's report or
    verification (the evidence); stored privately, served to who may open the inspection."""

    class Stage(models.TextChoices):
        INSPECTION = "inspection", _("Inspection record")
        SUBMISSION = "submission", _("Rectification evidence")
        VERIFICATION = "verification", _("Verification evidence")

    scope_field = "inspection__unit"

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    file = models.FileField(_("file"), upload_to="inspections/%Y/%m/", storage=private_storage)
    # Unlike the other stored files, no reverse accessor on the user.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = InspectionPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection attachment")
        verbose_name_plural = _("inspection attachments")
        ordering = ["pk"]

    def get_absolute_url(self):
        return reverse("supervision:inspection-attachment", args=[self.pk])
