"""Scope: which organizations a user may act on, per action.

A role grants a set of actions over its organization's subtree and over every joint
organization led from inside that subtree (the lead holds responsibility). A user's scope for an
action is the union over their roles; the superuser's is everything. Selectors turn a scope into
one ``Q`` on a path column, so pages, API, exports, searches and counts filter the same way.
"""

from dataclasses import dataclass

from django.db.models import Q

from tongchou.core import tree
from tongchou.organizations.models import Organization, OrgStatus, OrgType, Role, RoleKind


class Action:
    VIEW_ORGS = "view_orgs"
    MANAGE_ORGS = "manage_orgs"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    REVEAL = "reveal"  # see ID numbers and phones unmasked (each time audited)
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    RoleKind.ADMIN: frozenset(
        {
            Action.VIEW_ORGS,
            Action.MANAGE_ORGS,
            Action.VIEW_MEMBERS,
            Action.MANAGE_MEMBERS,
            Action.REVEAL,
            Action.EXPORT,
            Action.VIEW_AUDIT,
        }
    ),
    RoleKind.SECRETARY: frozenset(
        {Action.VIEW_ORGS, Action.VIEW_MEMBERS, Action.MANAGE_MEMBERS, Action.REVEAL, Action.EXPORT}
    ),
    RoleKind.MEMBER: frozenset({Action.VIEW_ORGS}),
}


@dataclass(frozen=True)
class Scope:
    everything: bool
    paths: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.paths

    def q(self, field: str = "path") -> Q:
        return Q() if self.everything else tree.union_q(self.paths, field)

    def covers(self, path: str) -> bool:
        return self.everything or tree.covers(self.paths, path)


EVERYTHING = Scope(everything=True, paths=())
NOTHING = Scope(everything=False, paths=())


def _role_paths(user) -> dict[str, list[str]]:
    """Path of every role organization, by role kind (one query, cached on the user)."""
    cached = getattr(user, "_tongchou_role_paths", None)
    if cached is None:
        cached = {}
        rows = Role.objects.filter(user=user, organization__status=OrgStatus.ACTIVE).values_list(
            "kind", "organization__path"
        )
        for kind, path in rows:
            cached.setdefault(kind, []).append(path)
        user._tongchou_role_paths = cached
    return cached


def led_joint_paths(base_paths: list[str]) -> list[str]:
    """Paths of active joint organizations whose lead sits inside any of ``base_paths``.

    Joint organizations are few; reading them all (by the type index) and testing their lead's
    path here is cheaper than a range join on the leads, which at a province root spans every
    organization."""
    if not base_paths:
        return []
    joints = Organization.objects.filter(org_type=OrgType.JOINT, status=OrgStatus.ACTIVE)
    rows = joints.values_list("path", "lead__path")
    return [path for path, lead_path in rows if lead_path and tree.covers(base_paths, lead_path)]


def scope_for(user, action: str) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    cache = user.__dict__.setdefault("_tongchou_scopes", {})
    if action not in cache:
        by_kind = _role_paths(user)
        base = [p for kind, paths in by_kind.items() if action in ROLE_ACTIONS[kind] for p in paths]
        paths = tree.collapse(base + led_joint_paths(base))
        cache[action] = Scope(everything=False, paths=tuple(paths))
    return cache[action]


def can(user, action: str, path: str | None = None) -> bool:
    """May the user perform ``action`` at all (path None) or on the object at ``path``?"""
    if path is None:
        # Anywhere at all: a role granting the action is enough (led joint organizations only
        # ever add to a non-empty scope), so this costs at most the cached role query.
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        return any(action in ROLE_ACTIONS[kind] for kind in _role_paths(user))
    return scope_for(user, action).covers(path)


def has_any_role(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _role_paths(user)))
