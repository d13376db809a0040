from django.utils.translation import gettext_lazy as _

from apps.core.roles import Role
from apps.core.views import ScopedDetailView, ScopedListView, ScopedUpdateView
from apps.organizations.filters import OrgUnitFilterSet, PeriodFilterSet
from apps.organizations.forms import OrgUnitForm
from apps.organizations.models import OrgUnit, Period


class OrgUnitListView(ScopedListView):
    model = OrgUnit
    queryset = OrgUnit.objects.select_related("parent").with_child_count().order_by("path")
    filterset_class = OrgUnitFilterSet
    template_name = "organizations/orgunit_list.html"
    export_name = "org-units"
    export_columns = (
        (_("code"), "code"),
        (_("name"), "name"),
        (_("kind"), lambda unit: unit.get_kind_display()),
        (_("parent unit"), lambda unit: unit.parent or ""),
        (_("sub-units"), "child_count"),
    )


class OrgUnitDetailView(ScopedDetailView):
    model = OrgUnit
    queryset = OrgUnit.objects.select_related("parent")
    template_name = "organizations/orgunit_detail.html"

    def get_context_data(self, **kwargs):
        children = (
            OrgUnit.objects.for_user(self.request.user)
            .filter(parent=self.object)
            .with_child_count()
        )
        return super().get_context_data(children=children, **kwargs)


class OrgUnitUpdateView(ScopedUpdateView):
    model = OrgUnit
    form_class = OrgUnitForm
    template_name = "organizations/orgunit_form.html"
    write_roles = (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


class PeriodListView(ScopedListView):
    model = Period
    filterset_class = PeriodFilterSet
    template_name = "organizations/period_list.html"
    export_name = "periods"
    export_columns = (
        (_("name"), "name"),
        (_("kind"), lambda period: period.get_kind_display()),
        (_("start date"), "start_date"),
        (_("end date"), "end_date"),
        (_("closed"), lambda period: _("Yes") if period.is_closed else _("No")),
    )
