from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Signing out also empties the phone: the pages the service worker kept and the queue of
    records not uploaded (static/js/offline.js asks first when some are left)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out user sees (django-axes calls this), in their language."""
    message = _(
        "Too many failed sign-ins: this account is locked for 30 minutes. "
        "Ask the county federation if you need access sooner."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(
        request,
        "accounts/login.html",
        {"form": LoginForm(request), "lockout_message": message},
        status=429,
    )
