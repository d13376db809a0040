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
