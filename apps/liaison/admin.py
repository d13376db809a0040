from django.contrib import admin

from apps.core.roles import Role
from apps.liaison.models import (
    Case,
    Contact,
    CoverageTarget,
    Representative,
    RosterImport,
    VisitInterval,
)


class CountyAdminOnly:
    """Liaison data holds personal and sensitive records: in the admin only county federation
    staff (and superusers) see it, and only the rows ``for_user`` lets them open, whatever
    model permissions a staff account was given."""

    def _is_county_admin(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.has_role(Role.COUNTY_ADMIN)

    def has_module_permission(self, request):
        return self._is_county_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_county_admin(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._is_county_admin(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._is_county_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_county_admin(request) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        for_user = getattr(queryset, "for_user", None)
        return for_user(request.user) if for_user else queryset


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
class ContactAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["name", "unit", "representative", "risk", "last_visited_on"]
    list_filter = ["risk"]
    search_fields = ["name"]
    list_select_related = ["unit", "representative"]
    raw_id_fields = ["unit", "representative"]


@admin.register(Case)
class CaseAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["category", "unit", "state", "is_sensitive", "opened_at"]
    list_filter = ["state", "category", "is_sensitive"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "representative", "contact", "visit", "escalated_to"]


@admin.register(RosterImport)
class RosterImportAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["original_name", "unit", "status", "imported_rows", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["errors"]
