from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView

from apps.core.roles import Role
from apps.core.views import WriteRoleRequiredMixin
from apps.notifications import services
from apps.notifications.models import Notification


class InboxView(LoginRequiredMixin, ListView):
    template_name = "notifications/inbox.html"
    paginate_by = 30
    context_object_name = "notifications"

    def get_queryset(self):
        return Notification.objects.for_user(self.request.user)


class MarkReadView(LoginRequiredMixin, WriteRoleRequiredMixin, View):
    """Marks one notification read and follows its link, or marks all read: everyone's own
    inbox is theirs to keep, a leader's too."""

    write_roles = Role.values

    def post(self, request, pk=None):
        notifications = Notification.objects.for_user(request.user)
        if pk is None:
            services.mark_read(notifications)
            return redirect("notifications:inbox")
        notification = get_object_or_404(notifications, pk=pk)
        services.mark_read(notifications.filter(pk=pk))
        target = notification.url
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("notifications:inbox")
