"""API token authentication with expiry (``API_TOKEN_HOURS``).

A token older than that is deleted and refused (the client asks for a new one with the
password); a token of someone who must first choose their own password is refused too. Tokens
are also revoked when the password changes or the user is deactivated (``core.auth``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from tongchou.core.auth import token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        token = model.objects.select_related("user", "user__password_state").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用。"))
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("令牌已过期，请重新获取。"), code="token_expired"
            )
        state = getattr(token.user, "password_state", None)
        if state is not None and state.must_change:
            raise exceptions.AuthenticationFailed(
                _("请先登录网页修改初始密码，再使用 API。"), code="password_change_required"
            )
        return token.user, token
