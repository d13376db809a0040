"""代表联系制度: representatives, the households they are linked to, their visits, and the
needs and cases that come out of them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from apps.core.models import LONG_TEXT, SHORT_TEXT, ScopedModel, TimeStampedModel
from apps.core.personal_data import mask_phone
from apps.core.uploads import private_storage
from apps.liaison.querysets import (
    CaseQuerySet,
    ContactQuerySet,
    RepresentativeQuerySet,
    VisitQuerySet,
)
from apps.organizations.models import OrgUnit


class Sector(models.TextChoices):
    FARMER = "farmer", _("Farmer")
    BUSINESS = "business", _("Business owner")
    TEACHER = "teacher", _("Teacher")
    DOCTOR = "doctor", _("Medical worker")
    LAWYER = "lawyer", _("Lawyer")
    RETIRED_CADRE = "retired_cadre", _("Retired cadre")
    MIGRANT = "migrant", _("Migrant worker")
    OTHER = "other", _("Other")


class Specialty(models.TextChoices):
    LEGAL = "legal", _("Legal advice")
    COUNSELLING = "counselling", _("Counselling")
    HEALTH = "health", _("Health care")
    PARENTING = "parenting", _("Family education")
    EMPLOYMENT = "employment", _("Jobs and start-ups")
    ECOMMERCE = "ecommerce", _("E-commerce skills")
    FARMING = "farming", _("Farming techniques")
    MEDIATION = "mediation", _("Dispute mediation")
    CARE = "care", _("Care for the elderly and disabled")


class Risk(models.TextChoices):
    """A household's risk colour, which sets how often she must be visited."""

    GREEN = "green", _("Normal")
    YELLOW = "yellow", _("Hardship")
    ORANGE = "orange", _("Family dispute")
    RED = "red", _("Domestic violence")


class Representative(ScopedModel):
    """执委: a women's representative of a village, with her sector, specialties and term."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="representatives"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.PROTECT,
        related_name="representative",
    )
    number = models.CharField(_("representative number"), max_length=30, unique=True)
    full_name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    specialties = ArrayField(
        models.CharField(max_length=20, choices=Specialty.choices),
        verbose_name=_("specialties"),
        default=list,
        blank=True,
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["unit__path", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="representative_term_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["unit", "is_active"], name="representative_unit_active")]

    def __str__(self):
        return self.full_name

    # A person whose contact details are shown only as apps.core.personal_data allows.
    @property
    def person_user_id(self):
        return self.user_id

    @property
    def person_units(self):
        return [self.unit]

    def get_specialties_display(self):
        labels = dict(Specialty.choices)
        return "、".join(str(labels.get(code, code)) for code in self.specialties)


# Red weekly, orange monthly, yellow quarterly, green twice a year, unless the admin says otherwise.
DEFAULT_VISIT_DAYS = {"red": 7, "orange": 30, "yellow": 90, "green": 180}


class VisitInterval(models.Model):
    """How often a household of each risk colour must be visited; editable in the admin."""

    risk = models.CharField(_("risk colour"), max_length=10, choices=Risk.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("visit at least every (days)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("visit interval")
        verbose_name_plural = _("visit intervals")
        ordering = ["days"]

    def __str__(self):
        return f"{self.get_risk_display()} · {self.days}"


DEFAULT_COVERAGE_TARGET = 80


class CoverageTarget(models.Model):
    """The share of a village's households to be visited in the year so far: a village below
    it is on its township staff's to-do list. One row, editable in the admin; where none is
    stored the target is DEFAULT_COVERAGE_TARGET."""

    percent = models.PositiveSmallIntegerField(
        _("households visited in the year so far (%)"),
        default=DEFAULT_COVERAGE_TARGET,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage target")

    def __str__(self):
        return f"{self.percent}%"


class Contact(ScopedModel):
    """联系户: a woman or household linked to one representative. Personal data is kept to what
    the work needs, masked in lists, and every opening of the details is logged."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="contacts"
    )
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    tags = ArrayField(
        models.CharField(max_length=20),
        size=20,
        verbose_name=_("tags"),
        default=list,
        blank=True,
    )
    risk = models.CharField(
        _("risk colour"), max_length=10, choices=Risk.choices, default=Risk.GREEN
    )
    last_visited_on = models.DateField(_("last visited"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("linked household")
        verbose_name_plural = _("linked households")
        ordering = ["unit__path", "name"]
        indexes = [
            models.Index(fields=["representative", "risk"], name="contact_rep_risk"),
            models.Index(fields=["unit", "last_visited_on"], name="contact_unit_visited"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("liaison:contact-detail", args=[self.pk])

    @property
    def masked_name(self):
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_address(self):
        return self.address[:6] + "…" if self.address else ""


class Visit(ScopedModel):
    """走访/民情日志: one visit by a representative, to one or more of her households.

    A visit that raised a sensitive case or met a red household is as sensitive as they are
    (VisitQuerySet.for_user).
    """

    class Mode(models.TextChoices):
        HOME = "home", _("Home visit")
        PHONE = "phone", _("Phone call")
        WECHAT = "wechat", _("WeChat")
        GATHERING = "gathering", _("Group activity")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    contacts = models.ManyToManyField(Contact, verbose_name=_("households"), related_name="visits")
    summary = models.TextField(_("summary"), max_length=LONG_TEXT)
    # Made on the phone (a UUID) for a record logged offline: a second upload of the same id is
    # the same record (apps.liaison.services.uploads), never a second row.
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)
    # The needs raised are the visit's cases (Case.visit): their text is not copied here, so it
    # is only ever read through the cases' own visibility rule.

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            # With the mode, a representative's visits are counted off the index alone (the
            # assessment of 执委 counts a province's in a night).
            models.Index(
                fields=["representative", "visited_on"], include=["mode"], name="visit_rep_date"
            ),
            # The log lists' order: a page is read off the index, not sorted from the scope.
            models.Index(fields=["visited_on", "id"], name="visit_date"),
            models.Index(fields=["unit", "visited_on"], name="visit_unit_date"),
        ]

    def __str__(self):
        return f"{self.representative} · {self.visited_on}"


class Case(ScopedModel):
    """诉求/个案: a need taken up for a woman, followed through its states to closing.

    Sensitive cases (domestic violence and the like) are visible only to their representative,
    the staff they were escalated to, and county staff (CaseQuerySet.for_user).
    """

    class Category(models.TextChoices):
        MARRIAGE = "marriage", _("Marriage and family dispute")
        VIOLENCE = "violence", _("Domestic violence")
        RIGHTS = "rights", _("Rights protection")
        EMPLOYMENT = "employment", _("Jobs and start-ups")
        HARDSHIP = "hardship", _("Hardship")
        HEALTH = "health", _("Health")
        CHILDREN = "children", _("Children's education")
        MENTAL = "mental", _("Mental health")

    class State(models.TextChoices):
        OPEN = "open", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        ESCALATED = "escalated", _("Escalated")
        REFERRED = "referred", _("Referred")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        PARTLY = "partly", _("Partly satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="cases"
    )
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("representative"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("household"), on_delete=models.PROTECT, related_name="cases"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), max_length=LONG_TEXT)
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    state_deadline = models.DateTimeField(_("deadline for this state"))
    escalated_to = models.ForeignKey(
        OrgUnit,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_cases",
    )
    # Every unit the case was escalated to, in order: their staff keep seeing a sensitive case
    # after it moves further up.
    escalation_units = ArrayField(
        models.BigIntegerField(), default=list, blank=True, editable=False
    )
    opened_at = models.DateTimeField(_("opened at"))
    respond_by = models.DateTimeField(_("respond by"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    # Made on the phone (a UUID) for a record logged offline: a second upload of the same id is
    # the same record (apps.liaison.services.uploads), never a second row.
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "state_deadline"], name="case_state_deadline"),
            models.Index(fields=["unit", "opened_at"], name="case_unit_opened"),
            models.Index(fields=["opened_at", "id"], name="case_opened"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {self.contact.masked_name}"

    def get_absolute_url(self):
        return reverse("liaison:case-detail", args=[self.pk])

    @cached_property
    def follow_up_list(self):
        """The follow-ups in order; lists load it for all their cases at once
        (CaseQuerySet.with_follow_ups)."""
        return list(self.follow_ups.select_related("author"))

    @property
    def is_open(self):
        return self.state not in {self.State.RESOLVED, self.State.CLOSED}


class FollowUp(TimeStampedModel):
    """A timestamped note on a case, with the state change it made if any."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT
    )
    note = models.TextField(_("note"), max_length=SHORT_TEXT)
    state_from = models.CharField(
        _("from state"), max_length=12, choices=Case.State.choices, blank=True
    )
    state_to = models.CharField(
        _("to state"), max_length=12, choices=Case.State.choices, blank=True
    )
    # Made on the phone (a UUID) for a record logged offline: a second upload of the same id is
    # the same record (apps.liaison.services.uploads), never a second row.
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.note[:40]


class RosterImport(ScopedModel):
    """An Excel roster of representatives, checked and loaded by a Celery task: every row or
    none, with the problems listed row by row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Checking")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="rosters/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    imported_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT
    )
    # Which task run holds the import (its Celery task id) and since when: a redelivered task
    # resumes its own claim, and a claim older than the task time limit belongs to a dead run.
    claimed_by = models.CharField(_("claiming task"), max_length=64, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("liaison:roster-import-detail", args=[self.pk])

    @property
    def percent(self):
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0
