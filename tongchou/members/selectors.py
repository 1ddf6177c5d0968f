"""Reads of members, always through a user's scope."""

from django.db import connection
from django.db.models import QuerySet, Sum
from django.http import Http404

from tongchou.core import crypto, tree
from tongchou.core.validators import normalize_id_number
from tongchou.members.models import Member
from tongchou.organizations.models import Organization, OrgKind, OrgStatus, Role
from tongchou.organizations.permissions import ROLE_ACTIONS, Action, Scope, scope_for

# Where members' organizational relation usually sits: a form for a new member pre-fills the
# user's organization only when it is one of these (a street's working committee keeps few).
MEMBER_HOLDING_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)


def member_list_for(
    user, *, action: str = Action.VIEW_MEMBERS, include_archived: bool = False
) -> QuerySet[Member]:
    return _members_under(scope_for(user, action), include_archived=include_archived)


def scope_within(scope: Scope, path: str) -> Scope:
    """The part of ``scope`` inside the subtree at ``path``, as whole subtrees: the subtree
    itself when the scope covers it, else the scope's subtrees that lie inside it (a county
    admin's led joint organization under a filtered street), else nothing (disjoint)."""
    if scope.covers(path):
        return Scope(everything=False, paths=(path,))
    return Scope(everything=False, paths=tuple(p for p in scope.paths if p.startswith(path)))


class MemberQuerySet(QuerySet):
    """Members read under a scope, remembering it, so that narrowing to a subtree can
    intersect the two into ranges instead of adding a range to the scope's union.

    On SQLite the planner uses one index range per table: given the scope's ranges (ORed) and
    a subtree range ANDed, it may scan the whole scope (a county) to find one village, or read
    each scope range by a union. ``within`` gives it the one range that holds the rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._read_under: tuple[Scope, bool] | None = None

    def _clone(self):
        clone = super()._clone()
        clone._read_under = self._read_under
        return clone

    def within(self, path: str) -> "MemberQuerySet":
        """The members of this list inside the subtree at ``path``."""
        subtree = self.filter(tree.subtree_q(path, "org_path"))
        if self._read_under is None:
            return subtree
        scope, include_archived = self._read_under
        if self.query.where != _members_under(scope, include_archived).query.where:
            return subtree  # already narrowed by something else: intersect by AND
        narrowed = self._chain()
        narrowed.query.where = _members_under(
            scope_within(scope, path), include_archived
        ).query.where
        narrowed._read_under = (scope_within(scope, path), include_archived)
        return narrowed


def _members_under(scope: Scope, include_archived: bool) -> MemberQuerySet:
    members = MemberQuerySet(model=Member).filter(scope.q("org_path"))
    if not include_archived:
        members = members.filter(archived=False)
    members._read_under = (scope, include_archived)
    return members


def member_get_for(user, pk, *, action: str = Action.VIEW_MEMBERS) -> Member:
    """The member if in the user's scope for ``action`` (archived included); else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    member = (
        member_list_for(user, action=action, include_archived=True)
        .select_related("organization", "home_region")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


def member_find_by_id_number(user, id_number: str) -> Member | None:
    """Exact lookup through the keyed hash; only members in scope are found."""
    digest = crypto.lookup_hash(normalize_id_number(id_number))
    if not digest:
        return None
    return member_list_for(user, include_archived=True).filter(id_number_hash=digest).first()


def member_count_in(org: Organization) -> int:
    return Member.objects.filter(tree.subtree_q(org.path, "org_path"), archived=False).count()


def id_hashes_taken(hashes: list[str]) -> set[str]:
    """Which of these ID-number hashes already belong to a member (any scope: uniqueness is
    deployment-wide, but only the fact, never the record, is revealed).

    Probing a million hashes in chunks costs a thousand queries; when the table holds no more
    than about twice as many rows as there are hashes, reading its hash column once is faster."""
    if not hashes:
        return set()
    wanted = set(hashes)
    existing = Member.objects.count()
    if existing == 0:
        return set()
    column = Member.objects.values_list("id_number_hash", flat=True)
    if existing <= 2 * len(wanted):
        return {h for h in column.iterator(chunk_size=20_000) if h in wanted}
    size = 900 if connection.vendor == "sqlite" else 10_000
    probe = sorted(wanted)
    taken: set[str] = set()
    for start in range(0, len(probe), size):
        taken.update(column.filter(id_number_hash__in=probe[start : start + size]))
    return taken


def import_job_get_for(user, pk):
    """An import job is seen by the person who uploaded it (and the superuser); else 404."""
    from tongchou.members.models import ImportJob

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    jobs = ImportJob.objects.select_related("default_org")
    if not user.is_superuser:
        jobs = jobs.filter(created_by=user)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def import_job_list_for(user, *, limit: int = 10):
    from tongchou.members.models import ImportJob

    return ImportJob.objects.filter(created_by=user).select_related("default_org")[:limit]


def member_total_for(user, *, within: Organization | None = None) -> int:
    """Active members in the user's scope (narrowed to ``within``'s subtree), read from the
    organizations' trigger-kept counters: a sum over organizations instead of a count over
    member rows — at a province root, ~100,000 rows instead of a million."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if within is not None and (scope.everything or scope.covers(within.path)):
        paths = [within.path]
    elif within is not None:
        paths = [p for p in scope.paths if p.startswith(within.path)]
    elif scope.everything:
        return Organization.objects.aggregate(n=Sum("member_count"))["n"] or 0
    else:
        paths = list(scope.paths)
    totals = tree.subtree_totals(Organization.objects.all(), paths, "member_count")
    return sum(members for _orgs, members in totals.values())


def list_total_from_counters(user, filterset) -> int | None:
    """The total of a valid member-list filter that selects whole subtrees (no other
    condition), read from the organizations' counters (``member_total_for``); None when the
    rows must be counted. The page and the API ask the same question here."""
    if not filterset.is_valid() or not filterset.narrows_only_by_subtree():
        return None
    within = filterset.subtree_organization()
    if within is None and filterset.form.cleaned_data.get("org"):
        return None  # an organization outside the scope: the (empty) rows are counted
    return member_total_for(user, within=within)


def role_organization_for(user, action: str, *, kinds=None) -> Organization | None:
    """The organization of the user's only role granting ``action`` (active, and of one of
    ``kinds`` when given), which create forms pre-fill; None when the user holds several such
    roles, none, or is the superuser (whose choice nothing predicts)."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    kinds_granting = [kind for kind, actions in ROLE_ACTIONS.items() if action in actions]
    roles = list(
        Role.objects.filter(
            user=user, kind__in=kinds_granting, organization__status=OrgStatus.ACTIVE
        ).select_related("organization")[:2]
    )
    if len(roles) != 1:
        return None
    org = roles[0].organization
    return org if kinds is None or org.kind in kinds else None
