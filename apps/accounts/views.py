from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from apps.accounts import services
from apps.accounts.forms import LoginForm, TextSizeForm


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


class TextSizeView(LoginRequiredMixin, View):
    """The large-text switch in the user menu and on the phone home page: saves her choice on
    her account and returns her to the page she was on, now drawn in that mode."""

    http_method_names = ["post"]

    def post(self, request):
        form = TextSizeForm(request.POST)
        if form.is_valid():
            services.set_large_text(request.user, form.large_text)
            messages.success(
                request,
                _("Large-text mode is on.") if form.large_text else _("Standard mode is on."),
            )
        else:
            for error in form.errors.get("size", []):
                messages.error(request, error)
        return redirect(self.next_url(request))

    @staticmethod
    def next_url(request):
        """The page she came from, if it is one of ours; else her home."""
        candidate = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return reverse("core:home")
