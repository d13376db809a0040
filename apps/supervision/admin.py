from django import forms
from django.contrib import admin

from apps.core.admin import CountyAdminOnly
from apps.supervision import services
from apps.supervision.models import (
    Inspection,
    ItemFeedback,
    ItemLog,
    ItemRequest,
    ProgressDue,
    Rectification,
    Slip,
    SupervisionItem,
    UnitSupervisionSetting,
)


class ItemLogInline(admin.TabularInline):
    model = ItemLog
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "automatic", "text"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupervisionItem)
class SupervisionItemAdmin(CountyAdminOnly, admin.ModelAdmin):
    """Items are assigned and moved on the pages (every step is logged there); the admin is
    for reading and correcting a typo."""

    list_display = ["title", "lead_unit", "source", "priority", "state", "deadline", "slip"]
    list_filter = ["state", "source", "priority", "slip"]
    search_fields = ["title", "lead_unit__name"]
    list_select_related = ["lead_unit"]
    raw_id_fields = ["lead_unit", "cooperating_units", "created_by"]
    readonly_fields = ["state", "slip", "slip_due", "accepted_at", "feedback_at", "closed_at"]
    inlines = [ItemLogInline]


@admin.register(ItemRequest)
class ItemRequestAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["item", "kind", "state", "new_deadline", "created_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["item", "requested_by", "decided_by"]


@admin.register(ItemFeedback)
class ItemFeedbackAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["item", "unit", "is_lead", "created_at"]
    raw_id_fields = ["item", "unit", "submitted_by"]


@admin.register(Slip)
class SlipAdmin(CountyAdminOnly, admin.ModelAdmin):
    """三色督办单; yellow and red ones count against the unit."""

    list_display = ["item", "unit", "colour", "issued_by", "created_at"]
    list_filter = ["colour"]
    list_select_related = ["item", "unit"]
    raw_id_fields = ["item", "unit", "issued_by"]


class UnitSupervisionSettingForm(forms.ModelForm):
    class Meta:
        model = UnitSupervisionSetting
        fields = ["unit", "requires_approval", "approvers"]

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is not None:
            errors = services.check_setting(
                unit, data.get("requires_approval"), list(data.get("approvers") or [])
            )
            for name, message in errors.items():
                self.add_error(name, message)
        return data


@admin.register(UnitSupervisionSetting)
class UnitSupervisionSettingAdmin(CountyAdminOnly, admin.ModelAdmin):
    """Whether a unit's feedback needs its leader's approval, and who approves (off by
    default: a unit without a row sends its feedback straight to the supervisor)."""

    form = UnitSupervisionSettingForm
    list_display = ["unit", "requires_approval"]
    list_filter = ["requires_approval"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    filter_horizontal = ["approvers"]


@admin.register(ProgressDue)
class ProgressDueAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["item", "due", "fed_back_at"]
    list_select_related = ["item"]
    raw_id_fields = ["item"]


class RectificationInline(admin.TabularInline):
    model = Rectification
    extra = 0
    can_delete = False
    fields = ["text", "owner", "deadline", "state", "verified_at"]
    readonly_fields = ["state", "verified_at"]
    raw_id_fields = ["owner"]


@admin.register(Inspection)
class InspectionAdmin(CountyAdminOnly, admin.ModelAdmin):
    """Inspections are recorded on the pages; rectifications move by their steps there."""

    list_display = ["unit", "held_on", "team"]
    list_filter = ["held_on"]
    search_fields = ["unit__name", "team", "findings"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [RectificationInline]


@admin.register(Rectification)
class RectificationAdmin(CountyAdminOnly, admin.ModelAdmin):
    list_display = ["__str__", "owner", "deadline", "state", "return_count"]
    list_filter = ["state"]
    list_select_related = ["owner"]
    raw_id_fields = ["inspection", "owner", "submitted_by", "verified_by"]
    readonly_fields = ["state", "submitted_at", "verified_at", "return_count"]
