"""Login with lockout: after LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES, the
username is refused (even with the right password) until the window has passed."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from tongchou.core.models import LoginFailure


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked_out(username: str) -> bool:
    recent = LoginFailure.objects.filter(username__iexact=username, at__gte=_window_start())
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if not username:
            return None
        if is_locked_out(username):
            if request is not None:
                request.login_locked_out = True
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginFailure.objects.create(username=username, ip=_client_ip(request))
            # Failures older than the window no longer lock anyone: drop them, so random
            # usernames cannot grow the table without bound.
            LoginFailure.objects.filter(at__lt=_window_start()).delete()
        else:
            LoginFailure.objects.filter(username__iexact=username).delete()
        return user
