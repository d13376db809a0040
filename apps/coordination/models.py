"""社会协调机制: the departments' service directory and the referrals of cases to them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.coordination.querysets import (
    JointMeetingQuerySet,
    MeetingDecisionQuerySet,
    MeetingFileQuerySet,
    MeetingMembershipQuerySet,
    ReferralQuerySet,
    ServiceQuerySet,
)
from apps.core.models import LONG_TEXT, SHORT_TEXT, ScopedModel
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


class MeetingFile(ScopedModel):
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
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )

    objects = MeetingFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes file")
        verbose_name_plural = _("minutes files")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("coordination:meeting-file", args=[self.pk])


class MeetingDecision(ScopedModel):
    """议定事项: what a joint meeting decided, owned by one department with a deadline; open
    until the owner department's liaison marks it done with a note. The supervision module
    takes decisions over as supervised items (a foreign key to this row)."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("decision", "Open")
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
