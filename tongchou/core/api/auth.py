"""API tokens. Kept apart from the shared base in ``tongchou.core.api`` because the settings
import that module while DRF itself is loading, before schema decorators may run.

A token lasts ``API_TOKEN_HOURS`` from when it was issued (``core.api.authentication``); asking
again while it is valid returns the same token, after it expired a new one."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongchou.core.api import errors
from tongchou.core.auth import must_change_password, token_expired
from tongchou.core.errors import ApplicationError


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="When the token stops working.")


class TokenView(APIView):
    """Exchange a username and password for an API token (POST), or revoke it (DELETE).

    The password is checked by ``django.contrib.auth.authenticate``, so the login lockout
    applies here exactly as on the login page. Someone who must first choose their own password
    (a new account, a reset) gets no token until they have done so on the web page.
    """

    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **errors(400)},
        auth=[],
        summary="Obtain an API token",
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request._request, "login_locked_out", False):
            raise ApplicationError(
                "locked_out",
                _("登录失败次数过多，账号已暂时锁定，请%(minutes)s分钟后再试。")
                % {"minutes": request._request.login_lockout_minutes},
            )
        if getattr(request._request, "login_password_expired", False):
            raise ApplicationError(
                "password_expired", _("管理员发给您的临时密码已过期，请联系管理员重置密码。")
            )
        if user is None or not user.is_active:
            raise ApplicationError("invalid_credentials", _("用户名或密码不正确。"))
        if must_change_password(user):
            raise ApplicationError(
                "password_change_required", _("请先登录网页修改初始密码，再获取 API 令牌。")
            )
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        expires = token.created + dt.timedelta(hours=settings.API_TOKEN_HOURS)
        return Response({"token": token.key, "expires": expires})

    @extend_schema(request=None, responses={204: None, **errors(401)}, summary="Revoke my token")
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
