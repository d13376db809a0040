from django.urls import path

from apps.supervision import views

app_name = "supervision"

urlpatterns = [
    path("items/", views.ItemListView.as_view(), name="item-list"),
    path("items/new/", views.ItemCreateView.as_view(), name="item-create"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item-detail"),
    path("slips/<int:pk>/print/", views.SlipPrintView.as_view(), name="slip-print"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("reports/", views.ReportView.as_view(), name="reports"),
    path("settings/", views.UnitSettingListView.as_view(), name="unit-settings"),
    path("settings/<int:pk>/", views.UnitSettingView.as_view(), name="unit-setting"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection-list"),
    path("inspections/new/", views.InspectionCreateView.as_view(), name="inspection-create"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection-detail"),
    path(
        "rectifications/<int:pk>/",
        views.RectificationStepView.as_view(),
        name="rectification-step",
    ),
    path(
        "inspection-files/<int:pk>/",
        views.InspectionAttachmentDownloadView.as_view(),
        name="inspection-attachment",
    ),
]
