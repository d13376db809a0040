from django.contrib import admin

from apps.core.admin import CountyAdminOnly, LoggedReadAdmin
from apps.liaison.models import (
    Case,
    Contact,
    CoverageTarget,
    Representative,
    RosterImport,
    VisitInterval,
)


@admin.register(VisitInterval)
class VisitIntervalAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["risk", "days"]
    list_editable = ["days"]
    list_display_links = ["risk"]


@admin.register(CoverageTarget)
class CoverageTargetAdmin(CountyAdminOnly, admin.ModelAdmin):
    """One row: the coverage below which a village is on its township's to-do list."""

    list_display = ["__str__", "percent"]
    list_editable = ["percent"]
    list_display_links = ["__str__"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not CoverageTarget.objects.exists()


@admin.register(Representative)
class RepresentativeAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["full_name", "number", "unit", "sector", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["full_name", "number"]
    list_select_related = ["unit"]
    raw_id_fields = ["user", "unit"]


@admin.register(Contact)
class ContactAdmin(LoggedReadAdmin, CountyAdminOnly, admin.ModelAdmin):
    list_display = ["name", "unit", "representative", "risk", "last_visited_on"]
    list_filter = ["risk"]
    search_fields = ["name"]
    list_select_related = ["unit", "representative"]
    raw_id_fields = ["unit", "representative"]


@admin.register(Case)
class CaseAdmin(LoggedReadAdmin, CountyAdminOnly, admin.ModelAdmin):
    list_display = ["category", "unit", "state", "is_sensitive", "opened_at"]
    list_filter = ["state", "category", "is_sensitive"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "representative", "contact", "visit", "escalated_to"]

    def is_logged_read(self, case):
        return case.is_sensitive


@admin.register(RosterImport)
class RosterImportAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["original_name", "unit", "status", "imported_rows", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["errors"]
