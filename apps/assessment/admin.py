from django.contrib import admin

from apps.assessment.models import AssessmentResult, AssessmentScheme
from apps.core.admin import CountyAdminOnly


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(CountyAdminOnly, admin.ModelAdmin):
    """Schemes are written through the API (one validated document); the admin reads them."""

    list_display = ["title", "period", "level", "unit"]
    list_filter = ["level", "period"]
    readonly_fields = ["unit", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssessmentResult)
class AssessmentResultAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["scheme", "unit", "person", "round", "total", "rank", "grade", "eligible"]
    list_filter = ["round", "scheme"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
