from django.db import transaction
from django.db.models import Prefetch
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.serializers import (
    CurrentUserSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)
from apps.accounts.filters import UserFilterSet
from apps.accounts.models import Membership, User
from apps.core.api.viewsets import ScopedReadOnlyViewSet


# Failed attempts must be recorded for the lockout, so this view runs outside the request
# transaction and answers bad credentials itself: DRF's exception handling would roll back.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token …``)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, tags=["auth"])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class UserViewSet(ScopedReadOnlyViewSet):
    """Users whose memberships lie in the caller's scope; ``me`` is the caller."""

    queryset = User.objects.filter(is_active=True).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("unit"))
    )
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "full_name"]

    @action(detail=False, methods=["get"], serializer_class=CurrentUserSerializer)
    def me(self, request):
        return Response(self.get_serializer(self.get_queryset().get(pk=request.user.pk)).data)
