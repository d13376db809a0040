from django.urls import path

from apps.assessment import views

app_name = "assessment"

urlpatterns = [
    path("results/", views.ResultListView.as_view(), name="result-list"),
    path("results/<int:pk>/", views.ResultDetailView.as_view(), name="result-detail"),
    path("schemes/", views.SchemeListView.as_view(), name="scheme-list"),
    path("schemes/new/", views.SchemeEditView.as_view(), name="scheme-create"),
    path("schemes/<int:pk>/", views.SchemeDetailView.as_view(), name="scheme-detail"),
    path("schemes/<int:pk>/edit/", views.SchemeEditView.as_view(), name="scheme-edit"),
    path("schemes/<int:pk>/sheet/", views.ScoreSheetView.as_view(), name="score-sheet"),
    path("schemes/<int:pk>/rounds/", views.RoundStepView.as_view(), name="round-step"),
    path("schemes/<int:pk>/vetoes/", views.VetoCreateView.as_view(), name="veto-create"),
    path("schemes/<int:pk>/survey/", views.SurveyImportView.as_view(), name="survey-import"),
    path("vetoes/<int:pk>/remove/", views.VetoRemoveView.as_view(), name="veto-remove"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence"),
]
