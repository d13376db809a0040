from django.urls import path

from apps.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("manifest.webmanifest", views.WebAppManifestView.as_view(), name="manifest"),
    path("sw.js", views.ServiceWorkerView.as_view(), name="service-worker"),
    path("offline/", views.OfflineView.as_view(), name="offline"),
]
