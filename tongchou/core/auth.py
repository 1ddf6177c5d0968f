"""Signing in: the lockout, passwords a person must change, and API tokens.

**Lockout.** After ``LOGIN_FAILURE_LIMIT`` failed logins of one username *from one source* (the
client address) within ``LOGIN_LOCKOUT_MINUTES``, that username is refused from that source —
even with the right password — until the window has passed. Keying on username and source
together means an attacker cannot lock the real person (or an administrator) out from
elsewhere. Each attempt first claims one try with a single conditional UPDATE of the counter
row (``failures < limit``), and only then is the password checked: attempts sent in parallel
cannot get more tries than the limit, whatever the database.

**Passwords to change.** An administrator who creates an account or resets a password gives the
person a password shown once; ``PasswordState.must_change`` then holds until they choose their
own (pages send them to the password change page, API tokens are refused). Such a password
expires ``ISSUED_PASSWORD_DAYS`` after it was handed out: it then signs in no more (the backend
refuses it *after* checking it, so only someone who knows it learns that it expired), and the
person asks an administrator for a reset.

**Tokens.** API tokens expire after ``API_TOKEN_HOURS`` and are revoked whenever the user's
password changes or the user is deactivated, by whatever path: our pages and services, Django's
admin, ``manage.py changepassword``. Django's user model is not ours to extend, so the one place
that sees every such change is the save of the user row (``watch_user_changes``).
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, F, Q, Value, When
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from tongchou.core.models import LoginFailure, PasswordState

# --- lockout ---------------------------------------------------------------------------------


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def client_ip(request) -> str:
    """The client's address as the server sees it (``REMOTE_ADDR``; behind a proxy, the proxy
    must pass the client's address there — see the README)."""
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def username_key(username: str) -> str:
    return (username or "").strip().lower()[:150]


@dataclass(frozen=True)
class Claim:
    allowed: bool
    minutes_left: int = 0  # while refused: whole minutes until the next try (at least 1)


def claim_attempt(username: str, ip: str) -> Claim:
    """Take one try for ``username`` from ``ip``, or learn that none is left.

    One conditional UPDATE raises the counter while it is below the limit (or restarts it when
    its window has passed): the row count says whether this attempt may check a password. The
    row is created first if missing (INSERT … ON CONFLICT DO NOTHING)."""
    key, now = username_key(username), timezone.now()
    limit, cutoff = settings.LOGIN_FAILURE_LIMIT, now - _window()
    for _attempt in range(3):
        LoginFailure.objects.bulk_create(
            [LoginFailure(username=key, ip=ip, failures=0, since=now)], ignore_conflicts=True
        )
        stale = Q(since__lt=cutoff)
        claimed = (
            LoginFailure.objects.filter(username=key, ip=ip)
            .filter(Q(failures__lt=limit) | stale)
            .update(
                failures=Case(When(stale, then=Value(1)), default=F("failures") + 1),
                since=Case(When(stale, then=Value(now)), default=F("since")),
            )
        )
        if claimed:
            return Claim(allowed=True)
        since = (
            LoginFailure.objects.filter(username=key, ip=ip, failures__gte=limit, since__gte=cutoff)
            .values_list("since", flat=True)
            .first()
        )
        if since is not None:
            seconds = (since + _window() - now).total_seconds()
            return Claim(allowed=False, minutes_left=max(1, math.ceil(seconds / 60)))
        # The row was pruned between the insert and the update: try again.
    return Claim(allowed=False, minutes_left=1)


def forget_failures(username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=username_key(username), ip=ip).delete()


def prune_failures() -> None:
    """Counters whose window has passed lock nobody: drop them, so random usernames cannot
    grow the table without bound."""
    LoginFailure.objects.filter(since__lt=timezone.now() - _window()).delete()


class LockoutModelBackend(ModelBackend):
    """Django's backend behind the lockout. A refused attempt sets ``request.login_locked_out``
    and ``request.login_lockout_minutes`` for the page or endpoint to explain; a right but
    expired handed-out password sets ``request.login_password_expired``."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if not username:
            return None
        ip = client_ip(request)
        claim = claim_attempt(username, ip)
        if not claim.allowed:
            if request is not None:
                request.login_locked_out = True
                request.login_lockout_minutes = claim.minutes_left
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            prune_failures()
            return None
        forget_failures(username, ip)  # the password was right, even if it has expired
        if issued_password_expired(user):
            if request is not None:
                request.login_password_expired = True
            return None
        return user


# --- passwords a person must change ----------------------------------------------------------


def must_change_password(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return PasswordState.objects.filter(user_id=user.pk, must_change=True).exists()


def require_password_change(*, user, by) -> dt.datetime:
    """The person must choose their own password at their next sign-in (after an
    administrator gave them one). Returns when the given password stops signing in."""
    now = timezone.now()
    PasswordState.objects.update_or_create(
        user_id=user.pk, defaults={"must_change": True, "set_by": by, "set_at": now}
    )
    return now + _issued_validity()


def _issued_validity() -> dt.timedelta:
    return dt.timedelta(days=settings.ISSUED_PASSWORD_DAYS)


def issued_password_expired(user) -> bool:
    """The person still has the password an administrator gave them, and it is older than
    ``ISSUED_PASSWORD_DAYS``."""
    cutoff = timezone.now() - _issued_validity()
    return PasswordState.objects.filter(
        user_id=user.pk, must_change=True, set_at__lt=cutoff
    ).exists()


def password_chosen(user) -> None:
    """The person has set their own password."""
    PasswordState.objects.update_or_create(
        user_id=user.pk, defaults={"must_change": False, "changed_at": timezone.now()}
    )


# --- API tokens ------------------------------------------------------------------------------


def token_expired(token) -> bool:
    return token.created < timezone.now() - dt.timedelta(hours=settings.API_TOKEN_HOURS)


def revoke_tokens(user) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user_id=user.pk).delete()


def _remember_credentials(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Before a user row is saved: its stored password and active flag, to compare after."""
    instance.__dict__.pop("_tongchou_saved_credentials", None)
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the last_login update at every sign-in
    row = sender.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    instance.__dict__["_tongchou_saved_credentials"] = row


def _revoke_tokens_on_change(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A changed password or a deactivation ends every API token of the user (their signed-in
    sessions end by themselves: Django checks the password hash and the active flag)."""
    saved = instance.__dict__.pop("_tongchou_saved_credentials", None)
    if raw or created or saved is None:
        return
    password, was_active = saved
    if password != instance.password or (was_active and not instance.is_active):
        revoke_tokens(instance)


def watch_user_changes() -> None:
    """Connected once, when the app registry is ready (``CoreConfig.ready``)."""
    user_model = get_user_model()
    pre_save.connect(_remember_credentials, sender=user_model, dispatch_uid="tc_credentials_pre")
    post_save.connect(
        _revoke_tokens_on_change, sender=user_model, dispatch_uid="tc_credentials_post"
    )
