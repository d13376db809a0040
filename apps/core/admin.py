from django.contrib import admin

from apps.core.models import AccessLog, DeadlineRule, SpecialDay


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
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
class SpecialDayAdmin(admin.ModelAdmin):
    """Holidays and 调休 working weekends; add next year's when the State Council announces them."""

    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "state", "days", "hours", "working_days"]
    list_editable = ["days", "hours", "working_days"]
    list_filter = ["kind", "working_days"]
