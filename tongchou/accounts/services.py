"""Writes of accounts and roles: one rule set (``accounts.permissions``), one audit event per
change, filed under every organization the account is anchored at.

Passwords an administrator hands out — a new account's, a bulk creation's, a reset's — are
random (``new_password``), returned once to be shown or printed, never stored in clear, and the
person must choose their own at their next sign-in (``core.auth.require_password_change``),
within ``ISSUED_PASSWORD_DAYS``. Being random and short-lived, they are hashed without key
stretching (``accounts.hashers``): a branch's accounts are made well within one request.
Changing a password or deactivating revokes the person's API tokens and ends their sessions
(``core.auth``).
"""

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongchou.accounts import anchors
from tongchou.accounts.hashers import issued_password_hash
from tongchou.accounts.permissions import (
    RANK,
    account_scope,
    may_act_on,
    may_grant,
    rank_at,
    stands_above,
)
from tongchou.accounts.selectors import BULK_LIMIT, account_row, members_without_account
from tongchou.core import audit
from tongchou.core.auth import require_password_change
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.members.models import Member
from tongchou.mobility.models import ServiceStation
from tongchou.mobility.permissions import may_manage_station
from tongchou.organizations.models import Organization, OrgStatus, Role, RoleKind

User = get_user_model()

# Handed-out passwords: lower-case letters and digits without the look-alikes (0/o, 1/l/i),
# in three groups of four, easy to read off a printed sheet and type on a phone (about 59 bits).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,30}$")
MEMBER_USERNAME_PREFIX = "dy"  # 党员


@dataclass(frozen=True)
class IssuedPassword:
    """An account and the password handed out for it (shown once), which stops signing in at
    ``expires`` unless the person has chosen their own by then."""

    user: User
    password: str
    expires: dt.datetime
    member: Member | None = None


def new_password() -> str:
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def member_username(member: Member) -> str:
    """The username a member's account gets in a bulk creation: ``dy`` and the member record's
    number, six digits at least (``dy004217``); ``-2``, ``-3`` … if taken."""
    return unique_username(f"{MEMBER_USERNAME_PREFIX}{member.pk:06d}")


def unique_username(base: str) -> str:
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    if base.lower() not in taken:
        return base
    n = 2
    while f"{base}-{n}".lower() in taken:
        n += 1
    return f"{base}-{n}"


# --- checks ----------------------------------------------------------------------------------


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ApplicationError(
            "invalid_username",
            _("用户名须为 3–30 位英文字母、数字或 _ . -。"),
            field="username",
        )
    # Usernames are unique whatever their case: the lockout and people's memory ignore it.
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("username_taken", _("该用户名已被使用。"), field="username")
    return username


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("name_required", _("请填写姓名。"), field="name")
    if len(name) > 150:
        raise ApplicationError("name_too_long", _("姓名过长。"), field="name")
    return name


def _check_member_free(member: Member, *, field: str = "member") -> None:
    if member.user_id is not None:
        raise ApplicationError(
            "member_has_account", _("该党员已有登录账号（每名党员只能有一个账号）。"), field=field
        )
    if member.archived:
        raise ApplicationError("member_archived", _("已归档的党员记录不能开通账号。"), field=field)


def _require_member_in_scope(actor, member: Member) -> None:
    if not account_scope(actor).covers(member.org_path):
        raise PermissionDenied


def _check_grant(actor, kind: str, organization: Organization) -> None:
    if kind not in RANK:
        raise ApplicationError("invalid_role", _("请选择有效的角色。"), field="kind")
    if organization.status != OrgStatus.ACTIVE:
        raise ApplicationError(
            "organization_dissolved", _("已撤销的组织不能授予角色。"), field="organization"
        )
    if rank_at(actor, organization.path) == 0 or not account_scope(actor).covers(organization.path):
        raise PermissionDenied
    if not may_grant(actor, kind, organization.path):
        raise ApplicationError(
            "role_above_own",
            _("不能授予高于您本人在该组织的角色。"),
            field="kind",
        )


def _require_may_act(actor, user) -> None:
    row = account_row(user)
    allowed = may_act_on(
        actor,
        user,
        anchor_paths=row.anchor_paths,
        roles=[(r.kind, r.path) for r in row.roles],
    )
    if not allowed:
        raise PermissionDenied


def _set_issued_password(user, password: str) -> None:
    """Store a handed-out password: validated like any, hashed without stretching (random,
    short-lived, replaced at first sign-in: see ``accounts.hashers``)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:  # a generated password always passes; said loudly if not
        raise ApplicationError("weak_password", exc.messages[0]) from None
    user.password = issued_password_hash(password)


def _paths(user) -> list[str]:
    """Where an account's events are filed: every organization it is anchored at."""
    return list(dict.fromkeys(anchors.paths_of([user.pk])[user.pk]))


def _record(actor, action: str, user, *, before=None, after=None, note: str = "", paths=None):
    paths = paths if paths is not None else _paths(user)
    audit.record(
        actor=actor,
        action=action,
        obj=user,
        object_repr=_label(user),
        org_path=paths[0] if paths else "",
        also_paths=paths[1:],
        before=before,
        after=after,
        note=note,
    )


def _label(user) -> str:
    name = user.get_full_name()
    return f"{user.username}（{name}）" if name else user.username


def _role_text(kind: str, organization: Organization) -> str:
    return f"{RoleKind(kind).label} · {organization.name}"


# --- creating accounts -----------------------------------------------------------------------


@transaction.atomic
def account_create(
    *,
    actor,
    username: str,
    name: str,
    member: Member | None = None,
    role_kind: str = "",
    role_organization: Organization | None = None,
    station: ServiceStation | None = None,
) -> IssuedPassword:
    """A new account tied to at least one thing in the actor's scope: a member record (the
    person's own pages), a role, and/or a member service station to work at. Returns the
    initial password, to be shown once."""
    username = _check_username(username)
    name = _check_name(name)
    if member is None and not role_kind and station is None:
        raise ApplicationError(
            "anchor_required",
            _("请至少选择一项：关联党员记录、授予角色或服务站工作人员。"),
            field="member",
        )
    if member is not None:
        _require_member_in_scope(actor, member)
        member = Member.objects.select_for_update().get(pk=member.pk)
        _check_member_free(member)
    if role_kind:
        if role_organization is None:
            raise ApplicationError(
                "organization_required", _("请选择授予角色的组织。"), field="organization"
            )
        _check_grant(actor, role_kind, role_organization)
    if station is not None and not may_manage_station(actor, station):
        raise PermissionDenied
    user = User(username=username, first_name=name)
    password = new_password()
    _set_issued_password(user, password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ApplicationError(
            "username_taken", _("该用户名已被使用。"), field="username"
        ) from None
    expires = require_password_change(user=user, by=actor)
    after: dict = {"username": username, "first_name": name}
    if member is not None:
        _link(member, user)
        after["member"] = f"{member.name} · {member.organization.name}"
    if role_kind:
        Role.objects.create(user=user, organization=role_organization, kind=role_kind)
        after["tongchou_roles"] = [_role_text(role_kind, role_organization)]
    if station is not None:
        station.staff.add(user)
        after["stations"] = [station.name]
    _record(actor, AuditAction.CREATE, user, after=after)
    return IssuedPassword(user, password, expires, member)


def _link(member: Member, user) -> None:
    """Link a member record to an account: one conditional UPDATE (a record linked meanwhile
    is refused), and the database's one-to-one key refuses a second record for the account."""
    try:
        with transaction.atomic():
            linked = Member.objects.filter(pk=member.pk, user__isnull=True).update(user=user)
    except IntegrityError:
        raise ApplicationError(
            "account_has_member", _("该账号已关联其他党员记录。"), field="member"
        ) from None
    if not linked:
        raise ApplicationError(
            "member_has_account",
            _("该党员已有登录账号（每名党员只能有一个账号）。"),
            field="member",
        )


@transaction.atomic
def accounts_bulk_create(*, actor, organization: Organization) -> list[IssuedPassword]:
    """An account for every active member record in the organization's subtree that has none:
    username ``dy`` + the record's number, a random password each, change forced at the first
    sign-in. All or nothing; at most ``BULK_LIMIT`` at once."""
    if not account_scope(actor).covers(organization.path):
        raise PermissionDenied
    members = list(members_without_account(actor, organization).select_for_update(of=("self",)))
    if not members:
        raise ApplicationError(
            "nothing_to_create", _("该组织的党员都已有账号。"), field="organization"
        )
    if len(members) > BULK_LIMIT:
        raise ApplicationError(
            "too_many",
            _("一次最多为 %(limit)s 名党员开通账号，请选择下级组织分批办理。")
            % {"limit": BULK_LIMIT},
            field="organization",
        )
    issued = []
    for member in members:
        user = User(username=member_username(member), first_name=member.name)
        password = new_password()
        _set_issued_password(user, password)
        user.save()
        expires = require_password_change(user=user, by=actor)
        _link(member, user)
        _record(
            actor,
            AuditAction.CREATE,
            user,
            after={
                "username": user.username,
                "first_name": member.name,
                "member": f"{member.name} · {member.organization.name}",
            },
            note=_("批量开通党员账号"),
            paths=[member.org_path],
        )
        issued.append(IssuedPassword(user, password, expires, member))
    return issued


# --- roles -----------------------------------------------------------------------------------


@transaction.atomic
def role_grant(*, actor, user, organization: Organization, kind: str) -> Role:
    """Give ``user`` a role of ``kind`` at ``organization``: inside the actor's scope, no higher
    than the actor's own rank there."""
    if user.pk == actor.pk:
        raise ApplicationError("own_account", _("不能给自己授予角色。"), field="kind")
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied
    if not user.is_active:
        raise ApplicationError("inactive", _("该账号已停用，请先启用。"))
    _check_grant(actor, kind, organization)
    if Role.objects.filter(user=user, organization=organization, kind=kind).exists():
        raise ApplicationError("role_exists", _("该账号已有这一角色。"), field="kind")
    try:
        with transaction.atomic():
            role = Role.objects.create(user=user, organization=organization, kind=kind)
    except IntegrityError:
        raise ApplicationError("role_exists", _("该账号已有这一角色。"), field="kind") from None
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=role,
        org_path=organization.path,
        after={"user": user.pk, "kind": kind, "organization": organization.pk},
    )
    return role


@transaction.atomic
def role_revoke(*, actor, role: Role) -> None:
    """Take a role away: only from above it (see ``permissions.stands_above``)."""
    role = Role.objects.select_related("organization", "user").get(pk=role.pk)
    if role.user_id == actor.pk:
        raise ApplicationError(
            "own_account", _("不能撤销自己的角色，请由上级管理员办理。"), field="kind"
        )
    if role.user.is_superuser and not actor.is_superuser:
        raise PermissionDenied
    if not stands_above(actor, role.kind, role.organization.path):
        raise PermissionDenied
    before = {"user": role.user_id, "kind": role.kind, "organization": role.organization_id}
    pk = role.pk
    role.delete()
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=Role._meta.label_lower,
        object_id=str(pk),
        object_repr=str(role)[:200],
        org_path=role.organization.path,
        before=before,
    )


# --- acting on an account --------------------------------------------------------------------


@transaction.atomic
def account_deactivate(*, actor, user, note: str = "") -> None:
    """The person can no longer sign in; their sessions and API tokens end at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ApplicationError("own_account", _("不能停用自己的账号。"))
    _require_may_act(actor, user)
    if not user.is_active:
        raise ApplicationError("already_inactive", _("该账号已停用。"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    _record(
        actor, AuditAction.UPDATE, user, before={"is_active": True}, after={"is_active": False},
        note=note.strip()[:255],
    )  # fmt: skip


@transaction.atomic
def account_reactivate(*, actor, user) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ApplicationError("own_account", _("不能操作自己的账号。"))
    _require_may_act(actor, user)
    if user.is_active:
        raise ApplicationError("already_active", _("该账号未停用。"))
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record(actor, AuditAction.UPDATE, user, before={"is_active": False}, after={"is_active": True})


@transaction.atomic
def password_reset(*, actor, user) -> IssuedPassword:
    """A new random password for the person, returned once to be handed to them; they must
    choose their own at their next sign-in. Their sessions and API tokens end."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ApplicationError("own_account", _("请在“修改密码”页面修改自己的密码。"))
    _require_may_act(actor, user)
    if not user.is_active:
        raise ApplicationError("inactive", _("该账号已停用，请先启用。"))
    password = new_password()
    _set_issued_password(user, password)
    user.save(update_fields=["password"])
    expires = require_password_change(user=user, by=actor)
    _record(actor, AuditAction.UPDATE, user, note=_("重置密码：临时密码已交本人，登录后须修改"))
    return IssuedPassword(user, password, expires, Member.objects.filter(user=user).first())


@transaction.atomic
def account_link_member(*, actor, user, member: Member) -> None:
    """Link an account to a member record (so the person's own pages work): one record per
    account, one account per record."""
    if user.pk == actor.pk:
        raise ApplicationError(
            "own_account", _("不能为自己关联党员记录，请由上级管理员办理。"), field="member"
        )
    _require_member_in_scope(actor, member)
    _require_may_act(actor, user)
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_member_free(member)
    if Member.objects.filter(user=user).exists():
        raise ApplicationError(
            "account_has_member", _("该账号已关联其他党员记录。"), field="member"
        )
    _link(member, user)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=member,
        org_path=member.org_path,
        also_paths=_paths(user),
        before={"user": None},
        after={"user": user.pk},
    )


@transaction.atomic
def account_unlink_member(*, actor, user) -> None:
    member = Member.objects.select_for_update().filter(user=user).first()
    if member is None:
        raise ApplicationError("no_member", _("该账号没有关联党员记录。"), field="member")
    if user.pk == actor.pk:
        raise ApplicationError("own_account", _("不能操作自己的账号。"), field="member")
    _require_may_act(actor, user)
    paths = _paths(user)
    Member.objects.filter(pk=member.pk).update(user=None)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=member,
        org_path=member.org_path,
        also_paths=paths,
        before={"user": user.pk},
        after={"user": None},
    )
