from django.urls import path

from apps.objectives import views

app_name = "objectives"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan-list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    *[
        path(
            f"plans/<int:pk>/{action}/",
            views.PlanActionView.as_view(),
            {"action": action},
            name=f"plan-{action}",
        )
        for action in views.PlanActionView.actions
    ],
    path(
        "plans/<int:plan_pk>/objectives/new/",
        views.ObjectiveCreateView.as_view(),
        name="objective-create",
    ),
    path(
        "plans/<int:plan_pk>/innovation/",
        views.InnovationListView.as_view(),
        name="innovation-list",
    ),
    path("<int:pk>/", views.ObjectiveDetailView.as_view(), name="objective-detail"),
    path("<int:pk>/decompose/", views.ObjectiveDecomposeView.as_view(), name="objective-decompose"),
    path("<int:pk>/publish/", views.ObjectivePublishView.as_view(), name="objective-publish"),
    path("<int:pk>/revise/", views.ObjectiveReviseView.as_view(), name="objective-revise"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/approve/", views.ReportBatchApproveView.as_view(), name="report-approve-batch"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence"),
    path("scores/", views.ScoreListView.as_view(), name="score-list"),
    path("scores/<int:pk>/", views.ScoreDetailView.as_view(), name="score-detail"),
    path(
        "innovation/<int:pk>/review/",
        views.InnovationReviewView.as_view(),
        name="innovation-review",
    ),
    path("rewards/", views.RewardListView.as_view(), name="reward-list"),
    *[
        path(
            f"rewards/<int:pk>/{action}/",
            views.RewardActionView.as_view(),
            {"action": action},
            name=f"reward-{action}",
        )
        for action in views.RewardActionView.steps
    ],
]
