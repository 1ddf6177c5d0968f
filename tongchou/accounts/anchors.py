"""What ties an account to organizations — its *anchors* — and so to the admins who manage it.

An account is in an admin's scope when any of its anchors is. Today there are three kinds:

* a **role** (管理员/书记/党员) on an organization (``organizations.Role``);
* a **member record** linked to the login (``members.Member.user``), at the member's
  organization: the person's own pages (/me/) read it;
* a **member service station** the person works at (``mobility.ServiceStation.staff``), at the
  station's organization.

Staff of service-alliance units (民政, 人社 …, a later issue) will be a fourth: the app that
brings alliance units registers an ``Anchor`` here (``register``) saying how its staff are tied
to organizations, and the accounts pages, scope checks and audit follow with no change here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongchou.members.models import Member
from tongchou.mobility.models import ServiceStation
from tongchou.organizations.models import OrgStatus, Role
from tongchou.organizations.permissions import Scope


@dataclass(frozen=True)
class Anchor:
    """One kind of tie between an account and an organization.

    ``user_ids(scope)``: a subquery of the ids of users whose tie of this kind lies in
    ``scope``. ``paths_of(user_ids)``: for each user id, the organization paths of their ties of
    this kind (one query for all the ids)."""

    key: str
    label: str | Promise
    user_ids: Callable[[Scope], QuerySet]
    paths_of: Callable[[Iterable[int]], dict[int, list[str]]]


def _grouped(rows) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for user_id, path in rows:
        found.setdefault(user_id, []).append(path)
    return found


def _role_users(scope: Scope) -> QuerySet:
    roles = Role.objects.filter(scope.q("organization__path"))
    return roles.filter(organization__status=OrgStatus.ACTIVE).values("user_id")


def _role_paths(user_ids) -> dict[int, list[str]]:
    rows = Role.objects.filter(
        user_id__in=list(user_ids), organization__status=OrgStatus.ACTIVE
    ).values_list("user_id", "organization__path")
    return _grouped(rows)


def _member_users(scope: Scope) -> QuerySet:
    return Member.objects.filter(scope.q("org_path"), user__isnull=False).values("user_id")


def _member_paths(user_ids) -> dict[int, list[str]]:
    rows = Member.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "org_path")
    return _grouped(rows)


def _station_users(scope: Scope) -> QuerySet:
    staff = ServiceStation.staff.through.objects
    return staff.filter(scope.q("servicestation__org_path")).values("user_id")


def _station_paths(user_ids) -> dict[int, list[str]]:
    rows = ServiceStation.staff.through.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "servicestation__org_path"
    )
    return _grouped(rows)


BUILT_IN = frozenset({"role", "member", "station"})  # read in full by accounts.selectors
ANCHORS: list[Anchor] = [
    Anchor("role", _("角色"), _role_users, _role_paths),
    Anchor("member", _("党员记录"), _member_users, _member_paths),
    Anchor("station", _("服务站"), _station_users, _station_paths),
]


def register(anchor: Anchor) -> None:
    """Add a kind of anchor (e.g. alliance-unit staff), once."""
    if all(a.key != anchor.key for a in ANCHORS):
        ANCHORS.append(anchor)


def users_in(scope: Scope) -> Q:
    """Users with any anchor in ``scope`` (a condition on the user table, one subquery per
    kind of anchor: no join, no duplicates)."""
    if scope.is_empty:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for anchor in ANCHORS:
        condition |= Q(pk__in=anchor.user_ids(scope))
    return condition


def paths_of(user_ids: Iterable[int]) -> dict[int, list[str]]:
    """Every anchor path of each user (one query per kind of anchor)."""
    ids = list(user_ids)
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    for anchor in ANCHORS:
        for user_id, paths in anchor.paths_of(ids).items():
            found[user_id].extend(paths)
    return found
