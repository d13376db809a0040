from django.urls import path

from apps.assessment import views

app_name = "assessment"

urlpatterns = [
    path("results/", views.ResultListView.as_view(), name="result-list"),
    path("results/<int:pk>/", views.ResultDetailView.as_view(), name="result-detail"),
    path("schemes/<int:pk>/", views.SchemeDetailView.as_view(), name="scheme-detail"),
]
