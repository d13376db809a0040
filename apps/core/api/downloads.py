"""The one way a stored file leaves the private store."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.views import APIView


@extend_schema(exclude=True)
class StoredFileDownloadView(APIView):
    """A file (``model``, a StoredFile) served only to who may read its record, by the
    model's ``for_user``; anyone else gets 404. An API view, so the same link works with a
    browser session and with an API token."""

    permission_classes = [permissions.IsAuthenticated]
    model = None

    def get(self, request, pk):
        stored = get_object_or_404(self.model.objects.for_user(request.user), pk=pk)
        return stored.download(inline=self.shows_inline(request, stored))

    def shows_inline(self, request, stored):
        """Whether the file is shown in the page rather than downloaded."""
        return False
