"""Who may manage whose account, and which roles they may give.

Ranks: admin (管理员) > secretary (书记) > member (党员). A user's *rank at* an organization is
the highest rank among their roles whose scope covers it (the role's subtree plus the joint
organizations led from inside it, as everywhere — ``organizations.permissions``).

* **Managing accounts** needs a rank of secretary or more somewhere; the people one manages are
  those *anchored* in that scope (``accounts.anchors``: a role, a member record, a station).
* **Giving a role** of kind K at organization O needs a rank at O of at least K: nobody grants
  outside their scope or above themselves.
* **Acting on a person** — deactivating, resetting a password, taking a role away, linking or
  unlinking a member record — needs more than seeing them: every anchor of theirs must lie in
  the actor's scope, and the actor must stand *above* every role they hold: a higher rank
  there, or an equal rank from an organization higher up. So a county admin manages a street's
  admin, but not a fellow admin of the same county, nor someone who is also an admin above
  them elsewhere; two secretaries of one branch cannot take over each other's accounts (a
  password reset shows the new password to the one who asks). Superusers are managed by
  superusers only; nobody acts on their own account here (they use the password page).
"""

from dataclasses import dataclass

from tongchou.core import tree
from tongchou.organizations.models import Organization, OrgStatus, OrgType, Role, RoleKind
from tongchou.organizations.permissions import NOTHING, Action, Scope, can

RANK: dict[str, int] = {RoleKind.MEMBER: 1, RoleKind.SECRETARY: 2, RoleKind.ADMIN: 3}
MANAGING_RANK = RANK[RoleKind.SECRETARY]


@dataclass(frozen=True)
class HeldRole:
    kind: str
    path: str
    reach: tuple[str, ...]  # the role organization's path and the joint ones it leads

    @property
    def rank(self) -> int:
        return RANK[self.kind]

    def covers(self, path: str) -> bool:
        return tree.covers(self.reach, path)


def held_roles(user) -> list[HeldRole]:
    """The user's roles on active organizations with their reach (two queries, cached)."""
    cached = user.__dict__.get("_tongchou_held_roles")
    if cached is None:
        rows = list(
            Role.objects.filter(user_id=user.pk, organization__status=OrgStatus.ACTIVE)
            .values_list("kind", "organization__path")
            .order_by("organization__path", "kind")
        )
        # Joint organizations are few (see organizations.permissions.led_joint_paths).
        joints = (
            list(
                Organization.objects.filter(
                    org_type=OrgType.JOINT, status=OrgStatus.ACTIVE
                ).values_list("path", "lead__path")
            )
            if rows
            else []
        )
        cached = []
        for kind, path in rows:
            led = [j for j, lead in joints if lead and tree.covers([path], lead)]
            cached.append(HeldRole(kind, path, tuple(tree.collapse([path, *led]))))
        user.__dict__["_tongchou_held_roles"] = cached
    return cached


def rank_at(user, path: str) -> int:
    """0 (none) … 3 (admin): the highest rank of the user's roles covering ``path``."""
    if user.is_superuser:
        return RANK[RoleKind.ADMIN]
    return max((r.rank for r in held_roles(user) if r.covers(path)), default=0)


def account_scope(user) -> Scope:
    """Where the user manages accounts: the reach of their admin and secretary roles."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Scope(everything=True, paths=())
    paths = [p for r in held_roles(user) if r.rank >= MANAGING_RANK for p in r.reach]
    return Scope(everything=False, paths=tuple(tree.collapse(paths)))


def may_manage_accounts(user) -> bool:
    """Any admin or secretary role (or superuser): the accounts pages and endpoints. Costs the
    role query the navigation already makes (cached on the user)."""
    # Secretaries and admins are exactly the roles that manage members.
    return can(user, Action.MANAGE_MEMBERS)


def grantable_kinds(user, path: str) -> list[str]:
    """The role kinds the user may give at ``path``: up to their own rank there."""
    rank = rank_at(user, path)
    if rank < MANAGING_RANK:
        return []
    return [
        kind for kind in (RoleKind.ADMIN, RoleKind.SECRETARY, RoleKind.MEMBER) if RANK[kind] <= rank
    ]


def may_grant(user, kind: str, path: str) -> bool:
    return kind in grantable_kinds(user, path)


def stands_above(actor, kind: str, path: str) -> bool:
    """Whether ``actor`` outranks a role of ``kind`` at ``path``: a higher rank covering it, or
    an equal rank from an organization above it."""
    if actor.is_superuser:
        return True
    rank = RANK[kind]
    for role in held_roles(actor):
        if not role.covers(path) or role.rank < rank:
            continue
        if role.rank > rank or role.path != path:
            return True
    return False


def may_act_on(actor, target, *, anchor_paths: list[str], roles: list[tuple[str, str]]) -> bool:
    """Whether ``actor`` may deactivate, reset, link or take roles from ``target``, whose
    anchors lie at ``anchor_paths`` and who holds ``roles`` ((kind, path) pairs)."""
    if target.pk == actor.pk:
        return False
    if target.is_superuser or target.is_staff:
        return actor.is_superuser
    if actor.is_superuser:
        return True
    scope = account_scope(actor)
    if not anchor_paths or not all(scope.covers(p) for p in anchor_paths):
        return False
    return all(stands_above(actor, kind, path) for kind, path in roles)
