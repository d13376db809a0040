"""Base page views: every list and detail starts from ``Model.objects.for_user(user)``."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView, UpdateView
from django_filters.views import FilterView

from apps.core import exports, navigation, todo
from apps.core.api.pagination import bounded_count
from apps.core.permissions import DEFAULT_WRITE_ROLES, may_request


class ScopedQuerysetMixin(LoginRequiredMixin):
    """Objects outside the user's scope are simply not found (404), never "forbidden".

    A view says what to load in ``get_base_queryset()`` (or ``model``/``queryset``); the
    scoping rule is applied after it here. Overriding ``get_queryset`` would skip the rule, so
    it is refused when the class is defined.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: override get_base_queryset(), not get_queryset().")

    def get_base_queryset(self):
        return super().get_queryset()

    def get_queryset(self):
        return self.get_base_queryset().for_user(self.request.user)


class WriteRoleRequiredMixin:
    """Only the view's ``write_roles`` may change anything, by the same rule as the API
    (``may_request``): other roles get 403 on POST, PUT, PATCH and DELETE whatever the page shows
    them. Every page that accepts a POST has this mixin (tests/core/test_write_matrix.py checks).

    A page that exists only to write (a form) refuses its GET too; a page that reads and also
    takes an action (a detail page with a form on it) sets ``read_by_all = True``.
    """

    write_roles = DEFAULT_WRITE_ROLES
    read_by_all = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_request(request.user, request.method, self):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BoundedCountPaginator(Paginator):
    """Counts no further than ``count_limit`` rows, so a page of a list with millions of rows
    (a province's visits or households) costs what it costs in a county. Past the bound the
    page says "more than", and the pages beyond it are reached by narrowing the filters."""

    count_limit = 10_000

    @cached_property
    def _rows_counted(self):
        if not hasattr(self.object_list, "query"):
            return len(self.object_list)
        return bounded_count(self.object_list, self.count_limit)

    @cached_property
    def count(self):
        return min(self._rows_counted, self.count_limit)

    @property
    def count_is_exact(self):
        return self._rows_counted <= self.count_limit


class ScopedListView(ScopedQuerysetMixin, FilterView):
    """A filtered, paginated list; ``?export=xlsx`` downloads the same filtered rows.

    Subclasses declare ``export_columns``: (header, accessor) pairs for the spreadsheet.
    """

    paginate_by = 50
    paginator_class = BoundedCountPaginator
    export_columns = ()
    export_name = "export"

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("export") == "xlsx" and self.export_columns:
            return self.export_xlsx(self.object_list)
        return super().render_to_response(context, **response_kwargs)

    def export_xlsx(self, rows):
        content = exports.workbook_bytes(self.export_columns, rows)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.export_name}-{stamp}.xlsx"'
        return response


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass


class ScopedUpdateView(ScopedQuerysetMixin, WriteRoleRequiredMixin, UpdateView):
    pass


class ServiceStepMixin(WriteRoleRequiredMixin):
    """A form whose POST runs one service step (NetBox's ObjectEditView shape): build the form,
    validate it, call the service, show its refusal on the form or its success message, and
    redirect. A page declares the rest:

    - ``form_class`` (and ``get_form_kwargs()``), ``form_context_name`` for the template;
    - ``service``: called as ``service(user, object, **data)``, or ``service(user, **data)``
      when the step acts on no object, with ``data`` from ``get_service_data(form)`` (the
      cleaned data); ``get_service()`` chooses one when the POST names it;
    - ``get_step_object()``: the object the step acts on (a detail page's own object);
    - ``success_message`` (or ``get_success_message(result, form)``) and ``success_url`` (or
      ``get_success_url(result)``; by default the address of the step's object, or of what
      the step made when it acts on none).

    Permission is WriteRoleRequiredMixin's: ``write_roles`` and ``read_by_all``.
    """

    form_class = None
    form_context_name = "form"
    service = None
    success_message = ""
    success_url = None

    def get_form_kwargs(self):
        return {}

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, **self.get_form_kwargs())

    def get_step_object(self):
        """A detail page acts on its own object; a page that creates one acts on none."""
        return self.get_object() if hasattr(self, "get_object") else None

    def get_service(self):
        # Read from the class: a function stored on it is not a method of the view.
        return type(self).service

    def get_service_data(self, form):
        return form.cleaned_data

    def run_service(self, service, form):
        data = self.get_service_data(form)
        if self.object is None:
            return service(self.request.user, **data)
        return service(self.request.user, self.object, **data)

    def get_success_message(self, result, form):
        return self.success_message

    def get_success_url(self, result):
        """Where a done step goes: ``success_url``, else the object the step acted on, else
        the one it made."""
        return self.success_url or (self.object or result).get_absolute_url()

    def get_context_data(self, **kwargs):
        if self.form_context_name not in kwargs:
            kwargs[self.form_context_name] = self.get_form()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_step_object()
        form = self.get_form(request.POST, request.FILES)
        service = self.get_service()
        if form.is_valid() and service is not None:
            try:
                result = self.run_service(service, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message = self.get_success_message(result, form)
                if message:
                    messages.success(request, message)
                return redirect(self.get_success_url(result))
        return self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(**{self.form_context_name: form}))


class ServiceFormView(LoginRequiredMixin, ServiceStepMixin, TemplateView):
    """A page that exists to run one service step through a form (see ServiceStepMixin)."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_step_object()
        return super().get(request, *args, **kwargs)


class HomeView(LoginRequiredMixin, TemplateView):
    """Every role's home: her units, her to-do list (apps.core.todo) and her sections."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        featured = [entry for entry in navigation.items_for(user) if entry["featured"]]
        return super().get_context_data(
            memberships=user.active_memberships,
            featured=featured,
            **todo.home_context(user),
            **kwargs,
        )


def run_step(request, step, success_message):
    """Run a service step behind a POST button: on success show ``success_message`` (or, when
    it is callable, the message it makes of the step's result, e.g. who was notified); if the
    service refuses, show its reasons instead. Returns whether it ran."""
    try:
        result = step()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(
        request, success_message(result) if callable(success_message) else success_message
    )
    return True


def add_service_errors(form, error):
    """Show a service's ValidationError on the form: on the field it names when the form has
    that field, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# --- The installable app shell of the village representative's phone ---------------------------
# Her pages the service worker keeps a copy of (network first), by URL name: home, her to-do list,
# her households (masked, only her own) and the visit form. Never a case's or a household's own
# page: each opening of those is an access-logged read, which a copy would bypass.
OFFLINE_PAGES = ("core:home", "liaison:home", "liaison:contact-list", "liaison:visit-create")
# The shell every cached page needs, precached when the service worker installs.
SHELL_ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "css/app.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "js/app.js",
    "js/offline.js",
    "img/favicon.svg",
    "img/icon-192.png",
)
SERVICE_WORKER_SOURCE = "js/sw.js"


class WebAppManifestView(View):
    """The web app manifest: installed to her home screen, the portal opens full screen at her
    to-do list."""

    def get(self, request):
        return JsonResponse(
            web_app_manifest(),
            content_type="application/manifest+json",
            json_dumps_params={"ensure_ascii": False},
        )


def web_app_manifest():
    return {
        "name": _("Women's Federation Work Platform"),
        "short_name": _("Women's Federation"),
        "lang": get_language(),
        "start_url": reverse("liaison:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c2185b",
        "icons": [
            {
                "src": static(f"img/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }


class ServiceWorkerView(View):
    """static/js/sw.js served from the site root, so that its scope covers every page, with
    what it must cache filled in: the static files by their served (hashed) names, the pages
    by their addresses, and a version that changes whenever either does."""

    def get(self, request):
        response = HttpResponse(
            service_worker_script(), content_type="application/javascript; charset=utf-8"
        )
        response["Service-Worker-Allowed"] = "/"
        # Always asked again, so a new version reaches the phones on their next visit.
        response["Cache-Control"] = "no-cache"
        return response


def service_worker_script():
    source = finders.find(SERVICE_WORKER_SOURCE)
    if source:
        with open(source, encoding="utf-8") as file:
            script = file.read()
    else:  # only the collected files are shipped
        with staticfiles_storage.open(SERVICE_WORKER_SOURCE) as file:
            script = file.read().decode()
    shell = {
        "assets": [static(path) for path in SHELL_ASSETS],
        "pages": [reverse(name) for name in OFFLINE_PAGES],
        "offline": reverse("core:offline"),
        "static": settings.STATIC_URL,
    }
    config = json.dumps(shell, sort_keys=True)
    shell["version"] = hashlib.sha256((config + script).encode()).hexdigest()[:12]
    return script.replace("{/* SHELL */}", json.dumps(shell, sort_keys=True), 1)


class OfflineView(TemplateView):
    """What the service worker shows for a page it has no copy of while there is no signal."""

    template_name = "core/offline.html"
