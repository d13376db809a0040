from django.urls import path

from apps.organizations import views

app_name = "organizations"

urlpatterns = [
    path("units/", views.OrgUnitListView.as_view(), name="orgunit-list"),
    path("units/<int:pk>/", views.OrgUnitDetailView.as_view(), name="orgunit-detail"),
    path("units/<int:pk>/edit/", views.OrgUnitUpdateView.as_view(), name="orgunit-edit"),
    path("periods/", views.PeriodListView.as_view(), name="period-list"),
]
