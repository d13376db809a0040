"""社会协调机制: the departments' service directory and the referrals of cases to them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.coordination.querysets import (
    ReferralQuerySet,
    ResourceEntryQuerySet,
    ResourceHoursQuerySet,
    ResourceSourceQuerySet,
    ServiceQuerySet,
)
from apps.core.models import LONG_TEXT, SHORT_TEXT, ScopedModel
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
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["department__path", "name", "pk"]
        indexes = [models.Index(fields=["status", "kind"], name="service_status_kind")]

    def __str__(self):
        return f"{self.department.name} · {self.name}"

    def get_absolute_url(self):
        return reverse("coordination:service-edit", args=[self.pk])


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

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "state"], name="referral_dept_state"),
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
