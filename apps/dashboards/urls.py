from django.urls import path

from apps.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("print/", views.DashboardPrintView.as_view(), name="print"),
]
