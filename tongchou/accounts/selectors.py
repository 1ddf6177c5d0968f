"""Reads of accounts, always through the actor's account scope (``accounts.permissions``).

An account is seen by whoever manages accounts where any of its anchors lies (a role, a linked
member record, a station it works at: ``accounts.anchors``); anyone else gets a 404, as for a
missing one. What one may *do* to a seen account is ``permissions.may_act_on``'s question.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from tongchou.accounts import anchors
from tongchou.accounts.permissions import account_scope, may_act_on, stands_above
from tongchou.core import tree
from tongchou.core.models import PasswordState
from tongchou.core.validators import parse_id
from tongchou.members.models import Member
from tongchou.mobility.models import ServiceStation
from tongchou.organizations.models import Organization, OrgStatus, Role
from tongchou.organizations.permissions import Action, scope_for

User = get_user_model()

# The most member records a bulk creation takes at once (a branch has tens; a county would be
# tens of thousands of passwords on one printed sheet).
BULK_LIMIT = 500


def account_list_for(actor) -> QuerySet:
    """Accounts anchored in the actor's account scope (superuser: all)."""
    scope = account_scope(actor)
    if scope.everything:
        return User.objects.all()
    if scope.is_empty:
        return User.objects.none()
    return User.objects.filter(anchors.users_in(scope))


def account_get_for(actor, pk) -> User:
    """The account if it is in the actor's scope; otherwise 404, exactly as if missing."""
    pk = parse_id(pk)
    user = account_list_for(actor).filter(pk=pk).first() if pk else None
    if user is None:
        raise Http404
    return user


@dataclass
class RoleRow:
    pk: int
    kind: str
    kind_display: str
    organization_id: int
    organization_name: str
    path: str


@dataclass
class AccountRow:
    """An account as the pages and the API show it."""

    user: User
    member: Member | None = None
    roles: list[RoleRow] = field(default_factory=list)
    stations: list[ServiceStation] = field(default_factory=list)
    must_change_password: bool = False
    other_paths: list[str] = field(default_factory=list)  # anchors registered by other apps

    @property
    def anchor_paths(self) -> list[str]:
        paths = [r.path for r in self.roles] + [s.org_path for s in self.stations]
        if self.member is not None:
            paths.append(self.member.org_path)
        return paths + self.other_paths

    @property
    def name(self) -> str:
        return self.user.get_full_name() or (self.member.name if self.member else "")


def account_rows(users: list) -> list[AccountRow]:
    """Each account with its member record, roles, stations and password state, in four
    queries whatever the number of accounts (and one per kind of anchor registered later)."""
    rows = {u.pk: AccountRow(u) for u in users}
    if not rows:
        return []
    ids = list(rows)
    for member in Member.objects.filter(user_id__in=ids).select_related("organization"):
        rows[member.user_id].member = member
    roles = (
        Role.objects.filter(user_id__in=ids, organization__status=OrgStatus.ACTIVE)
        .select_related("organization")
        .order_by("organization__path", "kind")
    )
    for role in roles:
        rows[role.user_id].roles.append(
            RoleRow(
                role.pk,
                role.kind,
                role.get_kind_display(),
                role.organization_id,
                role.organization.name,
                role.organization.path,
            )
        )
    staff = ServiceStation.staff.through.objects.filter(user_id__in=ids).select_related(
        "servicestation"
    )
    for link in staff.order_by("servicestation__name"):
        rows[link.user_id].stations.append(link.servicestation)
    for user_id in PasswordState.objects.filter(user_id__in=ids, must_change=True).values_list(
        "user_id", flat=True
    ):
        rows[user_id].must_change_password = True
    for anchor in anchors.ANCHORS:
        if anchor.key not in anchors.BUILT_IN:
            for user_id, paths in anchor.paths_of(ids).items():
                rows[user_id].other_paths.extend(paths)
    return [rows[u.pk] for u in users]


def account_row(user) -> AccountRow:
    return account_rows([user])[0]


def may_act(actor, row: AccountRow) -> bool:
    """May ``actor`` deactivate, reset, link, or take roles from this account?"""
    return may_act_on(
        actor,
        row.user,
        anchor_paths=row.anchor_paths,
        roles=[(r.kind, r.path) for r in row.roles],
    )


def managed_organization_get(actor, pk) -> Organization:
    """An organization where the actor manages accounts (active), or 404."""
    pk = parse_id(pk)
    scope = account_scope(actor)
    org = (
        Organization.objects.filter(scope.q("path"), pk=pk, status=OrgStatus.ACTIVE)
        .select_related("parent")
        .first()
        if pk and not scope.is_empty
        else None
    )
    if org is None:
        raise Http404
    return org


def managed_organization_by_code(actor, code: str) -> Organization | None:
    """An active organization where the actor manages accounts, by its code, or None."""
    scope = account_scope(actor)
    if scope.is_empty or not code or "\x00" in code:
        return None
    return (
        Organization.objects.filter(scope.q("path"), code=code[:32], status=OrgStatus.ACTIVE)
        .select_related("parent")
        .first()
    )


def member_for_account_get(actor, pk) -> Member:
    """A member record the actor may link to an account (in their account scope), or 404."""
    pk = parse_id(pk)
    scope = account_scope(actor)
    member = (
        Member.objects.filter(scope.q("org_path"), pk=pk).select_related("organization").first()
        if pk and not scope.is_empty
        else None
    )
    if member is None:
        raise Http404
    return member


def members_without_account(actor, organization: Organization) -> QuerySet[Member]:
    """Active member records in the organization's subtree with no account yet, as the actor
    may manage them, by name."""
    scope = account_scope(actor)
    return (
        Member.objects.filter(
            scope.q("org_path"),
            tree.subtree_q(organization.path, "org_path"),
            archived=False,
            user__isnull=True,
        )
        .select_related("organization")
        .order_by("org_path", "name", "id")
    )


def stations_for_staff(actor) -> QuerySet[ServiceStation]:
    """Active stations whose staff the actor may change (those of organizations they manage,
    as ``mobility.permissions.may_manage_station`` says)."""
    scope = scope_for(actor, Action.MANAGE_ORGS)
    return ServiceStation.objects.filter(scope.q("org_path"), active=True).order_by(
        "org_path", "name"
    )


def station_for_staff_get(actor, pk) -> ServiceStation:
    pk = parse_id(pk)
    station = stations_for_staff(actor).filter(pk=pk).first() if pk else None
    if station is None:
        raise Http404
    return station


def role_of(row: AccountRow, pk) -> RoleRow:
    """One of the account's roles, or 404."""
    pk = parse_id(pk)
    for role in row.roles:
        if role.pk == pk:
            return role
    raise Http404


def may_revoke(actor, account, kind: str, path: str) -> bool:
    """May ``actor`` take this role (``kind`` at ``path``) from ``account``?"""
    if account.pk == actor.pk or (account.is_superuser and not actor.is_superuser):
        return False
    return stands_above(actor, kind, path)


def anchor_organizations(actor, row: AccountRow) -> list[Organization]:
    """The active organizations the account is tied to (roles, member record, stations) that
    lie in the actor's account scope."""
    paths = list(dict.fromkeys(row.anchor_paths))
    scope = account_scope(actor)
    if not paths or scope.is_empty:
        return []
    return list(
        Organization.objects.filter(
            scope.q("path"), path__in=paths, status=OrgStatus.ACTIVE
        ).order_by("path")
    )


def members_without_account_in(actor, organizations: list[Organization]) -> QuerySet[Member]:
    """Active member records without an account in these organizations' subtrees."""
    if not organizations:
        return Member.objects.none()
    scope = account_scope(actor)
    within = tree.union_q([o.path for o in organizations], "org_path")
    return (
        Member.objects.filter(scope.q("org_path"), within, archived=False, user__isnull=True)
        .select_related("organization")
        .order_by("org_path", "name", "id")
    )
