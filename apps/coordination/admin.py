from django.contrib import admin

from apps.coordination.models import (
    FollowUpVisit,
    IncomingReferral,
    JointMeeting,
    LiaisonOfficer,
    MandatoryReport,
    MeetingConvener,
    MeetingDecision,
    MemberDepartment,
    ProtectionOrder,
    Referral,
    ResourceEntry,
    ResourceHours,
    ResourceSource,
    Service,
    WarningLetter,
)
from apps.core.admin import CountyAdminOnly, LoggedReadAdmin


@admin.register(Service)
class ServiceAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = [
        "name",
        "department",
        "kind",
        "status",
        "accepts_sensitive",
        "provides_shelter",
        "verified_at",
    ]
    list_filter = ["kind", "status", "accepts_sensitive", "provides_shelter"]
    search_fields = ["name", "department__name"]
    list_select_related = ["department"]
    raw_id_fields = ["department", "verified_by"]


@admin.register(Referral)
class ReferralAdmin(LoggedReadAdmin, CountyAdminOnly, admin.ModelAdmin):
    """County staff only; opening a sensitive case's referral is logged like the case."""

    list_display = ["category", "department", "service", "state", "is_sensitive", "sent_at"]
    list_filter = ["state", "category", "is_sensitive"]
    list_select_related = ["department", "service"]
    raw_id_fields = [
        "unit",
        "case",
        "service",
        "department",
        "consent_recorded_by",
        "overridden_by",
        "referred_by",
        "handled_by",
    ]

    def is_logged_read(self, referral):
        return referral.is_sensitive


class PathwayRecordAdmin(LoggedReadAdmin, CountyAdminOnly, admin.ModelAdmin):
    """County staff only, and every opening logged: these are a sensitive case's records. Lists
    show no text of hers (no notes), only dates, kinds and places."""

    list_select_related = ["unit"]
    raw_id_fields = ["unit", "case", "recorded_by"]

    def is_logged_read(self, record):
        return True

    # Read-only here: every record is written through the pathway's services (their checks,
    # the 查访 task and the closer follow-up), on the pathway page or the API.
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WarningLetter)
class WarningLetterAdmin(PathwayRecordAdmin):
    list_display = ["issued_on", "issued_by", "unit", "created_at"]
    date_hierarchy = "issued_on"


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(PathwayRecordAdmin):
    list_display = ["due", "unit", "done_at"]
    raw_id_fields = [*PathwayRecordAdmin.raw_id_fields, "warning_letter", "done_by", "visit"]


@admin.register(ProtectionOrder)
class ProtectionOrderAdmin(PathwayRecordAdmin):
    list_display = ["applied_at", "court", "urgent", "decide_due", "outcome", "unit"]
    list_filter = ["outcome", "urgent"]


@admin.register(MandatoryReport)
class MandatoryReportAdmin(PathwayRecordAdmin):
    list_display = ["reason", "unit", "created_at", "reported_at"]
    list_filter = ["reason"]
    raw_id_fields = [*PathwayRecordAdmin.raw_id_fields, "reported_by"]


@admin.register(IncomingReferral)
class IncomingReferralAdmin(LoggedReadAdmin, CountyAdminOnly, admin.ModelAdmin):
    """County staff only; her name and phone are personal data, so every opening is logged."""

    list_display = ["department", "unit", "category", "state", "is_sensitive", "sent_at"]
    list_filter = ["state", "category", "is_sensitive"]
    list_select_related = ["department", "unit"]
    raw_id_fields = [
        "department",
        "unit",
        "village",
        "consent_recorded_by",
        "referred_by",
        "handled_by",
        "case",
    ]


class ReadOnlyLedgerAdmin(CountyAdminOnly, admin.ModelAdmin):
    """Ledger lines are written only by the services (balance under a row lock) and never
    edited or deleted: the admin reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ResourceSource)
class ResourceSourceAdmin(ReadOnlyLedgerAdmin):
    list_display = ["name", "unit", "kind", "received_on", "received", "balance"]
    list_filter = ["kind"]
    search_fields = ["name", "donor", "budget_line"]
    list_select_related = ["unit"]


@admin.register(ResourceEntry)
class ResourceEntryAdmin(LoggedReadAdmin, ReadOnlyLedgerAdmin):
    """A line against a case is case data: opening one is logged."""

    list_display = ["source", "kind", "amount", "entry_date", "village", "project"]
    list_filter = ["kind"]
    list_select_related = ["source", "village"]
    raw_id_fields = ["source", "case", "village", "reverses", "created_by"]

    def is_logged_read(self, entry):
        return entry.case_id is not None


@admin.register(ResourceHours)
class ResourceHoursAdmin(LoggedReadAdmin, ReadOnlyLedgerAdmin):
    list_display = ["person", "person_kind", "worked_on", "hours", "unit"]
    list_filter = ["person_kind"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "case", "service", "created_by"]

    def is_logged_read(self, row):
        return True


# --- 联席会议 ---


class LiaisonOfficerInline(admin.TabularInline):
    model = LiaisonOfficer
    extra = 0
    raw_id_fields = ["user", "recorded_by"]


@admin.register(MemberDepartment)
class MemberDepartmentAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["department", "county", "joined_on", "left_on"]
    list_select_related = ["department", "county"]
    raw_id_fields = ["county", "department"]
    inlines = [LiaisonOfficerInline]


@admin.register(MeetingConvener)
class MeetingConvenerAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "title", "county", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["county", "user"]


class MeetingDecisionInline(admin.TabularInline):
    model = MeetingDecision
    extra = 0
    raw_id_fields = ["owner", "done_by"]


@admin.register(JointMeeting)
class JointMeetingAdmin(CountyAdminOnly, admin.ModelAdmin):
    """County staff only; pages and the API are where meetings are recorded (the service
    checks members, owners and deadlines), the admin is for corrections."""

    list_display = ["title", "held_on", "county"]
    date_hierarchy = "held_on"
    list_select_related = ["county"]
    raw_id_fields = ["county", "convened_by", "recorded_by"]
    filter_horizontal = ["departments"]
    inlines = [MeetingDecisionInline]
