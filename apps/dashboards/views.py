"""Dashboard pages and the health check."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from apps.core import exports
from apps.dashboards import health, services
from apps.dashboards.tables import tables
from apps.organizations.models import Period


@method_decorator(never_cache, name="dispatch")
class HealthView(View):
    """Liveness without the database (200 while the process answers); ``?deep=1`` also checks
    the database, Redis and Celery beat, answering 503 and naming the failing checks. Open to
    anyone: load balancers do not sign in, and the answer names no record."""

    http_method_names = ["get", "head"]

    def get(self, request):
        if request.GET.get("deep") not in ("1", "true", "yes"):
            return JsonResponse({"status": "ok"})
        checks = health.deep_check()
        failing = sorted(name for name, result in checks.items() if result != "ok")
        body = {"status": "failing" if failing else "ok", "checks": checks, "failing": failing}
        return JsonResponse(body, status=503 if failing else 200)


# Outside ATOMIC_REQUESTS: opening the request's transaction would connect to the database.
healthz = transaction.non_atomic_requests(HealthView.as_view())


class DashboardMixin(LoginRequiredMixin):
    """The view of ``?period=&unit=``: a unit outside the area is not found, roles without a
    dashboard are refused (services.resolve_unit); an unknown period falls back to the default
    with a message."""

    http_method_names = ["get", "head"]

    def load(self):
        request = self.request
        unit = services.resolve_unit(request.user, request.GET.get("unit"))
        try:
            period = services.resolve_period(request.GET.get("period"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            period = services.resolve_period(None)
        return services.dashboard(request.user, period, unit)

    def get_context_data(self, **kwargs):
        data = self.load()
        every_table = tables(data)
        panels = [
            {
                "key": key,
                "title": title,
                "tables": [table for table in every_table if table.panel == key],
            }
            for key, title in services.PANELS
            if key != "referrals" or data["panels"]["referrals"]["available"]
        ]
        return super().get_context_data(
            data=data,
            tables=every_table,
            panel_list=panels,
            chart_labels=chart_labels(),
            periods=Period.objects.order_by("-start_date"),
            now=timezone.localtime(),
            **kwargs,
        )


def chart_labels():
    """The words the charts need beside the data's own labels (static/js/dashboard.js)."""
    return {
        "current": _("This period"),
        "previous": _("Last period"),
        "score": _("Score"),
        "coverage": _("Coverage (%)"),
        "cases": _("Cases"),
        "sensitive": _("Of which sensitive"),
        "on_time": _("Answered in time"),
        "accept_rate": _("Accepted in time (%)"),
        "complete_rate": _("Completed in time (%)"),
        "points": _("Bonus points"),
    }


class DashboardView(DashboardMixin, TemplateView):
    """领导驾驶舱: the charts and tables of one unit and period; ``?export=xlsx`` downloads every
    table of the view as one workbook."""

    template_name = "dashboards/dashboard.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export(self.load())
        return super().get(request, *args, **kwargs)

    def export(self, data):
        sheets = [
            (table.title, table.columns, [row["cells"] for row in table.rows])
            for table in tables(data)
        ]
        content = exports.sheets_bytes(sheets)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="dashboard-{stamp}.xlsx"'
        return response


class DashboardPrintView(DashboardMixin, TemplateView):
    """The same view as a printable A4 report, with the date and the scope it covers."""

    template_name = "dashboards/print.html"
