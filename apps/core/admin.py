from django.contrib import admin

from apps.core.access_log import record_access
from apps.core.models import AccessLog, DeadlineRule, SpecialDay
from apps.core.roles import Role


class CountyAdminOnly:
    """Personal and sensitive records (liaison data, the access log): in the admin only county
    federation staff (and superusers) see them, and only the rows ``for_user`` lets them open,
    whatever model permissions a staff account was given."""

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


class LoggedReadAdmin:
    """Opening a record in the admin is a read like any other: written to the access log."""

    def is_logged_read(self, obj):
        return True

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "GET" and self.is_logged_read(obj):
            record_access(request.user, obj, request)
        return obj


@admin.register(AccessLog)
class AccessLogAdmin(CountyAdminOnly, admin.ModelAdmin):
    """Read-only: the log is evidence (the database refuses changes too)."""

    list_display = ["accessed_at", "user", "record_type", "record_label", "path"]
    list_filter = ["record_type"]
    search_fields = ["user__username", "user__full_name", "record_label"]
    date_hierarchy = "accessed_at"
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SpecialDay)
class SpecialDayAdmin(CountyAdminOnly, admin.ModelAdmin):
    """Holidays and 调休 working weekends; add next year's when the State Council announces them."""

    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["kind", "state", "days", "hours", "working_days"]
    list_editable = ["days", "hours", "working_days"]
    list_filter = ["kind", "working_days"]
