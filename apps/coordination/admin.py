from django.contrib import admin

from apps.coordination.models import (
    JointMeeting,
    LiaisonOfficer,
    MeetingConvener,
    MeetingDecision,
    MemberDepartment,
    Referral,
    Service,
)
from apps.core.admin import CountyAdminOnly, LoggedReadAdmin


@admin.register(Service)
class ServiceAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["name", "department", "kind", "status", "accepts_sensitive", "verified_at"]
    list_filter = ["kind", "status", "accepts_sensitive"]
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
