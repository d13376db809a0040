from django.contrib import admin

from apps.assessment.models import AssessmentResult, AssessmentScheme
from apps.assessment.signals import results_changed
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

    # Deleted past post_delete (see apps.dashboards.services.connect_signals).
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        results_changed.send(AssessmentScheme, scheme=obj.scheme)

    def delete_queryset(self, request, queryset):
        schemes = list(AssessmentScheme.objects.filter(results__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for scheme in schemes:
            results_changed.send(AssessmentScheme, scheme=scheme)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
