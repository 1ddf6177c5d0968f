"""Someone given a password by an administrator (a new account, a reset) chooses their own
before anything else: every page sends them to the password change page, every API call made
with their session answers 403 ``password_change_required`` (their tokens are refused by
``core.api.authentication``), until they have done it.

Whether a session's person must change their password is read once, at sign-in
(``remember_password_state``), and kept in the session; the password change page clears it."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from tongchou.core.auth import must_change_password
from tongchou.core.views import MUST_CHANGE_SESSION_KEY

# What such a person may still open: the password pages, signing out, the language switch.
ALLOWED_URL_NAMES = frozenset(
    {"password_change", "password_change_done", "logout", "login", "set_language"}
)


def remember_password_state(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[MUST_CHANGE_SESSION_KEY] = must_change_password(user)


def _must_change(request) -> bool:
    value = request.session.get(MUST_CHANGE_SESSION_KEY)
    if value is None:  # a session from before this was recorded at sign-in
        value = must_change_password(request.user)
        request.session[MUST_CHANGE_SESSION_KEY] = value
    return bool(value)


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _must_change(request):
            refused = self._refuse(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse(self, request):
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            return None  # a 404 stays a 404
        if name in ALLOWED_URL_NAMES:
            return None
        if request.path_info.startswith("/api/"):
            if name == "api-auth-token" and request.method == "DELETE":
                return None
            return JsonResponse(
                {
                    "code": "password_change_required",
                    "message": _("请先修改初始密码。"),
                    "field": None,
                },
                status=403,
            )
        return redirect("password_change")  # the page says why
