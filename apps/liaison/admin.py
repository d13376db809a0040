from django.contrib import admin

from apps.liaison.models import Case, Contact, Representative, RosterImport, VisitInterval


@admin.register(VisitInterval)
class VisitIntervalAdmin(admin.ModelAdmin):
    list_display = ["risk", "days"]
    list_editable = ["days"]
    list_display_links = ["risk"]


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["full_name", "number", "unit", "sector", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["full_name", "number"]
    list_select_related = ["unit"]
    raw_id_fields = ["user", "unit"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "representative", "risk", "last_visited_on"]
    list_filter = ["risk"]
    search_fields = ["name"]
    list_select_related = ["unit", "representative"]
    raw_id_fields = ["unit", "representative"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["category", "unit", "state", "is_sensitive", "opened_at"]
    list_filter = ["state", "category", "is_sensitive"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "representative", "contact", "visit", "escalated_to"]


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "unit", "status", "imported_rows", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["errors"]
