"""社会协调机制: the departments' service directory and the referrals of cases to them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.coordination.querysets import (
    IncomingReferralQuerySet,
    JointMeetingQuerySet,
    MeetingDecisionQuerySet,
    MeetingFileQuerySet,
    MeetingMembershipQuerySet,
    PathwayQuerySet,
    ReferralQuerySet,
    ResourceEntryQuerySet,
    ResourceHoursQuerySet,
    ResourceSourceQuerySet,
    ServiceQuerySet,
)
from apps.core.models import LONG_TEXT, SHORT_TEXT, ScopedModel, StoredFile
from apps.core.personal_data import mask_phone
from apps.core.uploads import private_storage
from apps.liaison.services import CaseCategory
from apps.organizations.models import OrgUnit


class Service(ScopedModel):
    """One service a functional department offers (人力 / 财力物力 / 法律). Reference data: every
    signed-in user reads the directory; the department's liaison keeps its entries."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("People")
        FUNDS = "funds", _("Funds and materials")
        LEGAL = "legal", _("Legal")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("service", "Active")
        PAUSED = "paused", pgettext_lazy("service", "Paused")

    # Reference data: the directory is open to everyone in the deployment.
    scope_field = None

    department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="services",
        limit_choices_to={"kind": OrgUnit.Kind.DEPARTMENT},
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("class"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description and eligibility"), max_length=LONG_TEXT)
    how_to_apply = models.TextField(_("how to apply"), max_length=SHORT_TEXT, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    case_categories = ArrayField(
        models.CharField(max_length=12, choices=CaseCategory.choices),
        size=20,
        verbose_name=_("case categories"),
        default=list,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    accepts_sensitive = models.BooleanField(
        _("takes sensitive cases"),
        default=False,
        help_text=_("Domestic-violence and other sensitive cases may be referred here."),
    )
    provides_shelter = models.BooleanField(
        _("provides shelter"),
        default=False,
        help_text=_("Offered as shelter on the domestic-violence pathway."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Empty: the ``referral`` deadline rule for completing applies (15 working days by default).
    complete_days = models.PositiveSmallIntegerField(
        _("days to complete"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Leave empty for the county's rule for completing a referral."),
    )
    complete_in_working_days = models.BooleanField(_("counted in working days"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["department__path", "name", "pk"]
        indexes = [models.Index(fields=["status", "kind"], name="service_status_kind")]

    def __str__(self):
        return f"{self.department.name} · {self.name}"

    def get_absolute_url(self):
        return reverse("coordination:service-detail", args=[self.pk])

    @property
    def case_category_labels(self):
        labels = dict(CaseCategory.choices)
        return [labels.get(code, code) for code in self.case_categories]

    @property
    def completion_time(self):
        """How long the service takes to complete a referral, as people read it; empty when
        the county's rule applies."""
        if not self.complete_days:
            return ""
        if self.complete_in_working_days:
            return _("%(days)s working days") % {"days": self.complete_days}
        return _("%(days)s calendar days") % {"days": self.complete_days}


class Referral(ScopedModel):
    """转介: a case sent to a department's service with the woman's recorded consent (or a
    logged override). The department sees only what the referral carries: the category, the
    need when she consented, and the contact details she agreed to share."""

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("referral", "Sent")
        ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
        IN_PROGRESS = "in_progress", pgettext_lazy("referral", "In progress")
        COMPLETED = "completed", pgettext_lazy("referral", "Completed")
        DECLINED = "declined", pgettext_lazy("referral", "Declined")

    class ConsentMethod(models.TextChoices):
        VERBAL = "verbal", _("Verbal")
        WRITTEN = "written", _("Written")

    class Satisfaction(models.TextChoices):
        # The same codes as a case's satisfaction when it is closed.
        SATISFIED = "satisfied", _("Satisfied")
        PARTLY = "partly", _("Partly satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    # Scoped by the case's village for the referring side; the department side is added in
    # ReferralQuerySet.for_user.
    scope_field = "unit"

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "liaison.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="referrals"
    )
    department = models.ForeignKey(
        OrgUnit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="referrals"
    )
    # Copied from the case when sent, so the department never reads the case itself.
    category = models.CharField(_("category"), max_length=12, choices=CaseCategory.choices)
    need = models.TextField(_("need"), max_length=LONG_TEXT, blank=True)
    shared_contact = models.CharField(_("contact details shared"), max_length=200, blank=True)
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    consent = models.BooleanField(_("consent"), default=False)
    consent_method = models.CharField(
        _("consent given"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    override_reason = models.TextField(_("override reason"), max_length=SHORT_TEXT, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=SHORT_TEXT, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SENT)
    sent_at = models.DateTimeField(_("sent at"))
    accept_due = models.DateTimeField(_("accept by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    complete_due = models.DateTimeField(_("complete by"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), max_length=SHORT_TEXT, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    reason = models.TextField(_("reason for declining"), max_length=SHORT_TEXT, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The woman's satisfaction with what the department did, recorded by the referring side
    # once the referral is completed; it feeds the department's responsiveness.
    satisfaction = models.CharField(
        _("her satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("satisfaction recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("satisfaction recorded at"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "state"], name="referral_dept_state"),
            # Responsiveness counts a department's referrals by the day they were sent.
            models.Index(fields=["department", "sent_at"], name="referral_dept_sent"),
        ]

    def __str__(self):
        return f"{self.department.name} · {self.get_state_display()}"

    def get_absolute_url(self):
        return reverse("coordination:referral-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state in {self.State.SENT, self.State.ACCEPTED, self.State.IN_PROGRESS}

    @property
    def current_due(self):
        return self.accept_due if self.state == self.State.SENT else self.complete_due

    @property
    def number(self):
        """The number printed on its letter: year and id, e.g. 2026-00012."""
        return f"{self.sent_at:%Y}-{self.pk:05d}"


# --- the domestic-violence pathway (反家庭暴力法, 多部门联动) ----------------------------------
#
# Every record below belongs to one sensitive case and carries the most sensitive data held:
# it is read and written only by those who may open the case itself (PathwayQuerySet).


class PathwayRecord(ScopedModel):
    """What the pathway's records share: the case, its village (copied for counts by area) and
    who recorded it."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "liaison.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PathwayQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse("coordination:pathway", args=[self.case_id])


class WarningLetter(PathwayRecord):
    """告诫书: a written warning the police (公安) issued to the abuser. Each one asks the village
    for a 查访 (FollowUpVisit); two or more mark the family for closer follow-up."""

    issued_on = models.DateField(_("date issued"))
    issued_by = models.CharField(_("issuing police department or station"), max_length=100)
    number = models.CharField(_("letter number"), max_length=50, blank=True)
    note = models.TextField(_("note"), max_length=SHORT_TEXT, blank=True)

    class Meta:
        verbose_name = _("warning letter")
        verbose_name_plural = _("warning letters")
        ordering = ["case", "issued_on", "pk"]

    def __str__(self):
        return f"{self.issued_on} · {self.issued_by}"


class FollowUpVisit(PathwayRecord):
    """查访: the visit the village must make after a warning letter, by ``due``; done when the
    representative (or the staff handling the case) records it, optionally with her visit."""

    warning_letter = models.OneToOneField(
        WarningLetter,
        verbose_name=_("warning letter"),
        on_delete=models.PROTECT,
        related_name="follow_up_visit",
    )
    due = models.DateField(_("visit by"))
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=SHORT_TEXT, blank=True)
    visit = models.ForeignKey(
        "liaison.Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["done_at", "due"], name="followupvisit_open_due")]

    def __str__(self):
        return f"{_('follow-up visit')} · {self.due}"

    @property
    def is_open(self):
        return self.done_at is None


class ProtectionOrder(PathwayRecord):
    """人身安全保护令: an application to the court, which must decide within 72 hours, or 24
    when urgent (反家庭暴力法 第28条); the federation follows the court's clock."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting the court")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    applied_at = models.DateTimeField(_("applied at"))
    court = models.CharField(_("court"), max_length=100)
    urgent = models.BooleanField(_("urgent"), default=False)
    decide_due = models.DateTimeField(_("court to decide by"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=SHORT_TEXT, blank=True)

    class Meta:
        verbose_name = _("protection order")
        verbose_name_plural = _("protection orders")
        ordering = ["case", "applied_at", "pk"]
        indexes = [models.Index(fields=["outcome", "decide_due"], name="protorder_outcome_due")]

    def __str__(self):
        return f"{self.court} · {self.get_outcome_display()}"

    @property
    def is_pending(self):
        return self.outcome == self.Outcome.PENDING


class MandatoryReport(PathwayRecord):
    """强制报告: the case's victim is a minor or cannot act for herself, so it must be reported
    to the police (反家庭暴力法 第14条). Flagged once per case; red on the handling side's to-do
    list until the report is recorded."""

    class Reason(models.TextChoices):
        MINOR = "minor", _("Minor")
        NO_CAPACITY = "no_capacity", _("No capacity for civil conduct")
        LIMITED_CAPACITY = "limited_capacity", _("Limited capacity for civil conduct")

    case = models.OneToOneField(
        "liaison.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("note"), max_length=SHORT_TEXT, blank=True)
    reported_to = models.CharField(_("reported to"), max_length=100, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mandatory report")
        verbose_name_plural = _("mandatory reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{_('mandatory report')} · {self.get_reason_display()}"

    @property
    def is_reported(self):
        return self.reported_at is not None


class IncomingReferral(ScopedModel):
    """部门转来: a functional department (公安 after a call-out, 民政, 法院 …) refers a woman to
    the federation: to the county federation or a township's. The sending department is the
    首接 side and owns her until the federation accepts (签收), when the receiving staff turn
    the referral into a household and a case of a representative; a declined referral returns
    to the department, which keeps owning it. A separate model from Referral: the two run the
    other way round (the department writes, the federation answers) and share no rule.

    Her name, phone and village travel only with her recorded consent. The sending department
    later sees the referral's state (accepted by which unit, when), never the case it became."""

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("referral", "Sent")
        ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
        DECLINED = "declined", pgettext_lazy("referral", "Declined")

    # The receiving side's scope; the department side is added in the queryset's for_user.
    scope_field = "unit"

    department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("referring department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("federation unit"),
        on_delete=models.PROTECT,
        related_name="incoming_referrals",
    )
    category = models.CharField(_("category"), max_length=12, choices=CaseCategory.choices)
    need = models.TextField(_("need"), max_length=LONG_TEXT)
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    name = models.CharField(_("her name"), max_length=50)
    phone = models.CharField(_("her mobile phone"), max_length=20, blank=True)
    village = models.ForeignKey(
        OrgUnit,
        verbose_name=_("her village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_method = models.CharField(
        _("consent given"), max_length=10, choices=Referral.ConsentMethod.choices
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"))
    note = models.TextField(_("note"), max_length=SHORT_TEXT, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SENT)
    sent_at = models.DateTimeField(_("sent at"))
    accept_due = models.DateTimeField(_("accept by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    reason = models.TextField(_("reason for declining"), max_length=SHORT_TEXT, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The case it became: for the federation's staff only, never shown to the department.
    case = models.OneToOneField(
        "liaison.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_referral",
    )

    objects = IncomingReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral to the federation")
        verbose_name_plural = _("referrals to the federation")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "state"], name="incomingreferral_unit_state"),
            models.Index(fields=["department", "state"], name="incomingreferral_dept_state"),
        ]

    def __str__(self):
        return f"{self.department.name} → {self.unit.name} · {self.get_state_display()}"

    def get_absolute_url(self):
        return reverse("coordination:incoming-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state == self.State.SENT

    @property
    def number(self):
        """The number printed on its letter: year and id, e.g. 2026-00012."""
        return f"{self.sent_at:%Y}-{self.pk:05d}"

    @property
    def masked_name(self):
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)


# --- the resource ledger (人力、财力物力) ---------------------------------------------------------


class ResourceSource(ScopedModel):
    """A source of funds (资金, in 元) or materials (物资, counted in a unit of measure), owned by
    the county federation or a township federation. Its ledger lines (ResourceEntry) are never
    edited; ``received`` and ``balance`` are kept by the services in the same transaction as
    each line, under a row lock, and the database refuses a negative balance."""

    class Kind(models.TextChoices):
        FUNDS = "funds", _("Funds")
        MATERIALS = "materials", _("Materials")

    class Measure(models.TextChoices):
        YUAN = "yuan", _("yuan")
        PIECE = "piece", _("pieces")
        BOX = "box", _("boxes")
        BAG = "bag", _("bags")
        PORTION = "portion", _("portions")
        SET = "set", _("sets")
        KG = "kg", _("kg")

    # Materials counted in whole units; the others take decimals (元 to the fen, kilograms).
    COUNTABLE = frozenset({"piece", "box", "bag", "portion", "set"})

    scope_field = "unit"

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    donor = models.CharField(_("donor"), max_length=100, blank=True)
    budget_line = models.CharField(_("budget line"), max_length=100, blank=True)
    measure = models.CharField(_("unit of measure"), max_length=10, choices=Measure.choices)
    received_on = models.DateField(_("received on"))
    received = models.DecimalField(_("received in total"), max_digits=14, decimal_places=2)
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), max_length=SHORT_TEXT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ResourceSourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource source")
        verbose_name_plural = _("resource sources")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="resource_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(balance__lte=models.F("received")),
                name="resource_balance_within_received",
            ),
        ]
        indexes = [models.Index(fields=["kind", "received_on"], name="resource_kind_received")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coordination:resource-detail", args=[self.pk])

    @property
    def countable(self):
        return self.measure in self.COUNTABLE


class ResourceEntry(ScopedModel):
    """One line of a source's ledger: a receipt (入账) adds to it, an allocation (拨付/发放) to
    a case, a village or a project takes from it, a reversal (冲正) undoes one earlier line with
    a reason. Lines are never edited or deleted. A line against a case is case data: the case
    and its village are copied here so readers who may not open the case see the village only."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ALLOCATION = "allocation", _("Allocation")
        REVERSAL = "reversal", _("Reversal")

    scope_field = "source__unit"

    source = models.ForeignKey(
        ResourceSource,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    entry_date = models.DateField(_("date"))
    case = models.ForeignKey(
        "liaison.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        OrgUnit,
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.CharField(_("project"), max_length=100, blank=True)
    donor = models.CharField(_("donor"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ResourceEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-entry_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="resource_entry_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="reversal", reverses__isnull=False)
                | models.Q(~models.Q(kind="reversal"), reverses__isnull=True),
                name="resource_entry_reversal_has_target",
            ),
        ]
        indexes = [models.Index(fields=["case"], name="resource_entry_case")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    def get_absolute_url(self):
        return reverse("coordination:resource-detail", args=[self.source_id])


class ResourceHours(ScopedModel):
    """Hours a volunteer or professional (lawyer, psychologist, social worker) gave to a case,
    optionally through a service of the directory. Scoped by the case's village; the case
    itself shows only to those who may open it. A reversing row (``reverses``) counts its
    hours negative in every total."""

    class PersonKind(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        VOLUNTEER = "volunteer", _("Volunteer")

    scope_field = "unit"

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "liaison.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hours_given",
    )
    person = models.CharField(_("person"), max_length=50)
    person_kind = models.CharField(_("kind"), max_length=15, choices=PersonKind.choices)
    organisation = models.CharField(_("organisation or department"), max_length=100, blank=True)
    worked_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    # A correction is a reversing row with a reason; rows are never edited or deleted.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ResourceHoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("hours given")
        verbose_name_plural = _("hours given")
        ordering = ["-worked_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="resource_hours_in_a_day"
            ),
        ]
        indexes = [models.Index(fields=["case"], name="resource_hours_case")]

    def __str__(self):
        return f"{self.person} {self.hours}"

    def get_absolute_url(self):
        return reverse("coordination:hours-list")


# --- 联席会议: the joint-meeting system, its meetings and their decisions ---


class MeetingConvener(ScopedModel):
    """总召集人 or 召集人 of a county's joint-meeting system (usually county leaders)."""

    class Kind(models.TextChoices):
        LEAD = "lead", _("Lead convener")
        CONVENER = "convener", _("Convener")

    scope_field = "county"

    county = models.ForeignKey(
        OrgUnit, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("full name"), max_length=50)
    title = models.CharField(_("position"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("serving"), default=True)

    objects = MeetingMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("convener")
        verbose_name_plural = _("conveners")
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["county"],
                condition=models.Q(kind="lead", is_active=True),
                name="meeting_one_lead_convener",
                violation_error_message=_("The system already has a lead convener."),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"

    def get_absolute_url(self):
        return reverse("coordination:meeting-members")


class MemberDepartment(ScopedModel):
    """成员单位: a functional department that belongs to a county's joint-meeting system. A
    department that leaves keeps its row (with ``left_on``), so old meetings still name it."""

    scope_field = "county"

    county = models.ForeignKey(
        OrgUnit, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="meeting_memberships",
        limit_choices_to={"kind": OrgUnit.Kind.DEPARTMENT},
    )
    joined_on = models.DateField(_("member since"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = MeetingMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("member department")
        verbose_name_plural = _("member departments")
        ordering = ["department__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "department"],
                name="meeting_member_once",
                violation_error_message=_("This department is already a member."),
            )
        ]

    def __str__(self):
        return self.department.name

    def get_absolute_url(self):
        return reverse("coordination:meeting-members")

    @property
    def current_officer(self):
        """The 联络员 now serving (from prefetched ``officers`` when there are any)."""
        return next((o for o in self.officers.all() if o.until is None), None)


class LiaisonOfficer(ScopedModel):
    """联络员 of a member department over a span of dates. A change closes the current row and
    opens a new one, so the history is kept. She may have an account or only a name and phone;
    her phone is shown as apps.core.personal_data allows (masked to other departments)."""

    scope_field = "member__county"

    member = models.ForeignKey(
        MemberDepartment,
        verbose_name=_("member department"),
        on_delete=models.CASCADE,
        related_name="officers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MeetingMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison officer")
        verbose_name_plural = _("liaison officers")
        ordering = ["member", "-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(until__isnull=True),
                name="meeting_one_current_liaison",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coordination:meeting-members")

    # A person for apps.core.personal_data: her own account and her department.
    @property
    def person_user_id(self):
        return self.user_id

    @property
    def person_units(self):
        return [self.member.department]


class JointMeeting(ScopedModel):
    """联席会议: one meeting of a county's joint-meeting system, with the departments present,
    the agenda, the minutes (text and files) and its decisions (议定事项)."""

    scope_field = "county"

    county = models.ForeignKey(
        OrgUnit, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    convened_by = models.ForeignKey(
        MeetingConvener,
        verbose_name=_("convened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    departments = models.ManyToManyField(
        OrgUnit, verbose_name=_("departments present"), related_name="joint_meetings", blank=True
    )
    agenda = models.TextField(_("agenda"), max_length=LONG_TEXT, blank=True)
    minutes = models.TextField(_("minutes"), max_length=LONG_TEXT, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = JointMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["county", "held_on"], name="meeting_county_held")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("coordination:meeting-detail", args=[self.pk])


class MeetingFile(StoredFile):
    """A file of a meeting's minutes (纪要, sign-in sheet, photos): checked by content like
    objectives' evidence, stored privately, served only to those who may read the meeting."""

    scope_field = "meeting__county"

    meeting = models.ForeignKey(
        JointMeeting,
        verbose_name=_("joint meeting"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(_("file"), upload_to="meetings/%Y/%m/", storage=private_storage)

    objects = MeetingFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes file")
        verbose_name_plural = _("minutes files")
        ordering = ["pk"]

    def get_absolute_url(self):
        return reverse("coordination:meeting-file", args=[self.pk])


class MeetingDecision(ScopedModel):
    """议定事项: what a joint meeting decided, owned by one department with a deadline; open
    until the owner department's liaison marks it done with a note. The supervision module
    takes decisions over as supervised items (a foreign key to this row)."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("decision", "Open")
        # Taken over as a supervised item (移交督办): the item's clocks follow it from then on.
        SUPERVISED = "supervised", _("Under supervision")
        DONE = "done", pgettext_lazy("decision", "Done")

    scope_field = "meeting__county"

    meeting = models.ForeignKey(
        JointMeeting,
        verbose_name=_("joint meeting"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    text = models.TextField(_("decision"), max_length=SHORT_TEXT)
    owner = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owner department"),
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
        limit_choices_to={"kind": OrgUnit.Kind.DEPARTMENT},
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("note on completion"), max_length=SHORT_TEXT, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MeetingDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["meeting", "pk"]
        indexes = [models.Index(fields=["owner", "state"], name="decision_owner_state")]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return reverse("coordination:decision-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def done_late(self):
        """Done after its deadline (the light is green once done; this says it was late)."""
        return self.done_at is not None and timezone.localdate(self.done_at) > self.deadline
