"""Abstract bases every domain model builds on."""

from django.conf import settings
from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from apps.core.querysets import AccessLogQuerySet, ScopedQuerySet

# Free text people type: room for a page of Chinese, but no single field can fill the database,
# a page or an export. Model fields, serializers and forms all take their limit from here.
LONG_TEXT = 5000  # descriptions, narratives, summaries
SHORT_TEXT = 2000  # comments, notes, reasons


class TimeStampedModel(models.Model):
    """Records when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScopedModel(TimeStampedModel):
    """A row that belongs to an org unit and is only visible inside that unit's subtree."""

    scope_field = "unit"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class StoredFile(ScopedModel):
    """An upload checked by its content (apps.core.uploads.check_uploads) and kept in private
    storage, served only through its record's own scoped download view. Each kind declares its
    ``file`` field, with the folder it is kept in."""

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    def download(self, *, inline=False):
        """The file as a response: a download, or shown in the page when ``inline``."""
        return FileResponse(
            self.file.open("rb"),
            as_attachment=not inline,
            filename=self.original_name,
            content_type=self.content_type,
        )

    @classmethod
    def store(cls, checked, user, **owner):
        """Keep ``check_uploads``'s (upload, content type) pairs against ``owner``."""
        return [
            cls.objects.create(
                file=upload,
                original_name=upload.name[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=user,
                **owner,
            )
            for upload, content_type in checked
        ]


class AccessLog(models.Model):
    """One read of a sensitive record. Rows are only ever inserted: the database refuses
    updates and deletes (see the migration that creates this table)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    record_type = models.CharField(_("record type"), max_length=100)
    record_id = models.BigIntegerField(_("record id"))
    record_label = models.CharField(_("record"), max_length=200)
    path = models.CharField(_("page"), max_length=300, blank=True)
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="accesslog_record")]

    def __str__(self):
        return f"{self.user} · {self.record_label} · {self.accessed_at:%Y-%m-%d %H:%M}"


class SpecialDay(models.Model):
    """A day that breaks the Monday–Friday rule: a public holiday on a weekday, or a weekend day
    made a working day by the State Council's 调休. Seeded from ``chinesecalendar``; a county
    admin adds next year's days here when they are announced each November."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or working weekend day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class DeadlineRule(models.Model):
    """How long an item of one kind may stay in one state: days (calendar or working) plus
    hours. The engine's defaults apply where no rule is stored."""

    kind = models.CharField(_("kind"), max_length=40)
    state = models.CharField(_("state"), max_length=40, blank=True)
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)
    working_days = models.BooleanField(
        _("count working days"),
        default=False,
        help_text=_("Count 工作日 (skipping weekends and holidays) instead of calendar days."),
    )

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["kind", "state"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "state"], name="deadlinerule_kind_state")
        ]

    def __str__(self):
        return f"{self.kind} · {self.state or '—'}"
