"""Dashboard pages and the health check."""

from django.db import transaction
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from apps.dashboards import health


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
