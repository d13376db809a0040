from django.urls import path

from apps.liaison import views

app_name = "liaison"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit-create"),
    path("households/", views.ContactListView.as_view(), name="contact-list"),
    path("households/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("households/<int:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("households/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact-edit"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("representatives/", views.RepresentativeListView.as_view(), name="representative-list"),
    path(
        "representatives/new/",
        views.RepresentativeCreateView.as_view(),
        name="representative-create",
    ),
    path(
        "representatives/<int:pk>/edit/",
        views.RepresentativeUpdateView.as_view(),
        name="representative-edit",
    ),
    path("representatives/import/", views.RosterImportView.as_view(), name="roster-import"),
    path(
        "representatives/import/<int:pk>/",
        views.RosterImportDetailView.as_view(),
        name="roster-import-detail",
    ),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
]
