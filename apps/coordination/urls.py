from django.urls import path, re_path

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
    path("services/<int:pk>/", views.ServiceDetailView.as_view(), name="service-detail"),
    path("referrals/<int:pk>/rate/", views.ReferralRateView.as_view(), name="referral-rate"),
    path("responsiveness/", views.ResponsivenessView.as_view(), name="responsiveness"),
    path("cases/<int:case>/pathway/", views.PathwayView.as_view(), name="pathway"),
    re_path(
        r"^referrals/(?P<pk>\d+)/(?P<document>letter|receipt)/$",
        views.ReferralPrintView.as_view(),
        name="referral-print",
    ),
    path("incoming/", views.IncomingReferralListView.as_view(), name="incoming-list"),
    path("incoming/new/", views.IncomingReferralCreateView.as_view(), name="incoming-create"),
    path("incoming/<int:pk>/", views.IncomingReferralDetailView.as_view(), name="incoming-detail"),
    re_path(
        r"^incoming/(?P<pk>\d+)/(?P<document>letter|receipt)/$",
        views.IncomingReferralPrintView.as_view(),
        name="incoming-print",
    ),
]

urlpatterns += [
    path("resources/", views.ResourceSourceListView.as_view(), name="resource-list"),
    path("resources/new/", views.ResourceSourceCreateView.as_view(), name="resource-create"),
    path("resources/<int:pk>/", views.ResourceSourceDetailView.as_view(), name="resource-detail"),
    path(
        "resources/<int:pk>/receive/",
        views.ResourceReceiveView.as_view(),
        name="resource-receive",
    ),
    path(
        "resources/<int:pk>/allocate/",
        views.ResourceAllocateView.as_view(),
        name="resource-allocate",
    ),
    path(
        "resources/<int:pk>/reverse/",
        views.ResourceReverseView.as_view(),
        name="resource-reverse",
    ),
    path("resource-hours/", views.ResourceHoursListView.as_view(), name="hours-list"),
    path("resource-hours/new/", views.ResourceHoursCreateView.as_view(), name="hours-create"),
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
