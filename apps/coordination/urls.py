from django.urls import path

from apps.coordination import views

app_name = "coordination"

urlpatterns = [
    path("services/", views.ServiceListView.as_view(), name="service-list"),
    path("services/new/", views.ServiceCreateView.as_view(), name="service-create"),
    path("services/<int:pk>/edit/", views.ServiceUpdateView.as_view(), name="service-edit"),
    path("referrals/", views.ReferralListView.as_view(), name="referral-list"),
    path("referrals/new/", views.ReferralCreateView.as_view(), name="referral-create"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral-detail"),
]

urlpatterns += [
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.MeetingUpdateView.as_view(), name="meeting-edit"),
    path("meetings/files/<int:pk>/", views.MeetingFileDownloadView.as_view(), name="meeting-file"),
    path("meetings/members/", views.MeetingMembersView.as_view(), name="meeting-members"),
    path("meetings/members/new/", views.MemberCreateView.as_view(), name="meeting-member-create"),
    path(
        "meetings/members/<int:pk>/liaison/",
        views.LiaisonOfficerChangeView.as_view(),
        name="meeting-liaison-change",
    ),
    path(
        "meetings/conveners/new/",
        views.ConvenerCreateView.as_view(),
        name="meeting-convener-create",
    ),
    path(
        "meetings/conveners/<int:pk>/edit/",
        views.ConvenerUpdateView.as_view(),
        name="meeting-convener-edit",
    ),
    path("decisions/<int:pk>/", views.DecisionDetailView.as_view(), name="decision-detail"),
]
