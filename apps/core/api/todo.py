"""GET /api/v1/todo/: the signed-in user's open work, most urgent first (apps.core.todo)."""

from datetime import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.core.todo import todo_for


class TodoItemSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The kind of work, e.g. report-due, case-escalated.")
    kind_label = serializers.CharField()
    id = serializers.IntegerField(help_text="The id of the object the work is on.")
    title = serializers.CharField()
    due = serializers.CharField(
        allow_null=True, help_text="ISO date, or date and time for limits in hours."
    )
    light = serializers.CharField()
    light_reason = serializers.CharField()
    light_reason_label = serializers.CharField()
    url = serializers.CharField(help_text="The page where the work is done.")

    def to_representation(self, item):
        data = super().to_representation(item)
        due = item.due
        if isinstance(due, datetime):
            due = timezone.localtime(due)
        data["due"] = due.isoformat() if due else None
        return data


class TodoViewSet(viewsets.ViewSet):
    """The user's to-do list as one array (not paged): every open item of every kind her
    roles carry, red first, then yellow, then green, each by due date."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TodoItemSerializer(many=True))
    def list(self, request):
        return Response(TodoItemSerializer(todo_for(request.user), many=True).data)
