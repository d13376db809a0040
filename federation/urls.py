from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts.api.views import ObtainTokenView
from apps.dashboards.api.views import DashboardView
from apps.dashboards.views import healthz
from apps.liaison.api.views import CoverageView
from federation.api_router import router

admin.site.site_header = "妇联工作管理平台"
admin.site.site_title = "妇联工作管理平台"

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("org/", include("apps.organizations.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("objectives/", include("apps.objectives.urls")),
    path("liaison/", include("apps.liaison.urls")),
    path("coordination/", include("apps.coordination.urls")),
    path("supervision/", include("apps.supervision.urls")),
    path("assessment/", include("apps.assessment.urls")),
    path("dashboards/", include("apps.dashboards.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/coverage/", CoverageView.as_view(), name="api-coverage"),
    path("api/v1/dashboard/", DashboardView.as_view(), name="api-dashboard"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]
