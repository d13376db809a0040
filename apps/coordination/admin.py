from django.contrib import admin

from apps.coordination.models import IncomingReferral, Referral, Service
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
