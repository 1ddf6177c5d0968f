"""Reads of organizations, always through a user's scope."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from tongchou.core import tree
from tongchou.core.validators import parse_id
from tongchou.organizations.models import Organization, OrgStatus, Role, Unit
from tongchou.organizations.permissions import Action, scope_for


def organization_list_for(user, *, action: str = Action.VIEW_ORGS) -> QuerySet[Organization]:
    return Organization.objects.filter(scope_for(user, action).q("path"))


def organization_get_for(user, pk, *, action: str = Action.VIEW_ORGS) -> Organization:
    """The organization if it is in the user's scope for ``action``; otherwise 404, exactly as
    if it did not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    org = (
        organization_list_for(user, action=action)
        .select_related("region", "parent", "lead")
        .filter(pk=pk)
        .first()
    )
    if org is None:
        raise Http404
    return org


def organization_roots_for(user) -> QuerySet[Organization]:
    """The top organizations of a user's view: those whose parent is not itself visible."""
    scope = scope_for(user, Action.VIEW_ORGS)
    if scope.everything:
        return Organization.objects.filter(parent__isnull=True)
    return Organization.objects.filter(path__in=scope.paths)


def organization_search_for(user, query: str, *, limit: int = 50) -> QuerySet[Organization]:
    query = (query or "").strip()
    if not query:
        return Organization.objects.none()
    match = Q(name__icontains=query) | Q(code__istartswith=query)
    return organization_list_for(user).filter(match).select_related("region")[:limit]


@dataclass
class ChildRow:
    org: Organization
    org_count: int  # active organizations in the subtree, itself included
    member_count: int  # active members in the subtree
    has_children: bool


def _rows_with_counts(orgs: list[Organization]) -> list[ChildRow]:
    """Subtree totals for each organization in one statement (see tree.subtree_totals)."""
    active = Organization.objects.filter(status=OrgStatus.ACTIVE)
    totals = tree.subtree_totals(active, [o.path for o in orgs], "member_count")
    rows = []
    for org in orgs:
        org_count, member_count = totals.get(org.path, (0, 0))
        # Dissolving is refused while active children remain, so any active descendant
        # means an active child.
        rows.append(ChildRow(org, org_count, member_count, has_children=org_count > 1))
    return rows


def children_with_counts(user, parent: Organization) -> list[ChildRow]:
    """The visible children of ``parent`` with their subtree counts, in a fixed number of
    queries whatever the number of children."""
    children = list(
        organization_list_for(user).filter(parent=parent).select_related("region").order_by("name")
    )
    return _rows_with_counts(children) if children else []


def subtree_totals_for(org: Organization) -> ChildRow:
    """The organization's own subtree totals (organizations, members)."""
    return _rows_with_counts([org])[0]


def ancestors_for(user, org: Organization) -> list[Organization]:
    """Breadcrumb: the visible ancestors of ``org``, root first."""
    ids = tree.ancestor_ids(org.path)
    visible = {o.pk: o for o in organization_list_for(user).filter(pk__in=ids)}
    return [visible[i] for i in ids if i in visible]


def unit_list_for(user) -> QuerySet[Unit]:
    """Units attached to any organization in scope (units are shared facts, read in scope)."""
    orgs = organization_list_for(user)
    return Unit.objects.filter(organizations__in=orgs).distinct()


def roots_with_counts(user) -> list[ChildRow]:
    """The user's tree roots (see ``organization_roots_for``) with the same counts as
    ``children_with_counts``."""
    roots = list(organization_roots_for(user).select_related("region").order_by("path"))
    return _rows_with_counts(roots) if roots else []


def tree_for(user) -> tuple[list[ChildRow], list[ChildRow] | None]:
    """The tree page: the user's roots with totals and, when there is a single root, its
    children too (opened). A single root's totals are its own plus its children's — all its
    children are visible, since the whole subtree of a root is in scope — so the page reads
    the organizations once, not twice."""
    roots = list(organization_roots_for(user).select_related("region").order_by("path"))
    if len(roots) != 1:
        return (_rows_with_counts(roots) if roots else []), None
    root = roots[0]
    children = children_with_counts(user, root)
    org_count = (1 if root.is_active else 0) + sum(r.org_count for r in children)
    member_count = root.member_count + sum(r.member_count for r in children)
    root_row = ChildRow(root, org_count, member_count, has_children=org_count > 1)
    return [root_row], (children if root_row.has_children else None)


def role_list_for(user) -> QuerySet[Role]:
    """The user's own roles on active organizations (what the home page greets them with)."""
    if not user.is_authenticated:
        return Role.objects.none()
    return (
        Role.objects.filter(user=user, organization__status=OrgStatus.ACTIVE)
        .select_related("organization", "organization__region")
        .order_by("organization__path", "kind")
    )


PICKER_LIMIT = 300


def organization_picker_choices(
    user, *, selected=None, action: str = Action.VIEW_MEMBERS, limit: int = PICKER_LIMIT
) -> list[tuple[str, str]]:
    """Organizations for a subtree filter: the top three levels of the user's scope for
    ``action`` (by path, indented), at most ``limit``, plus ``selected`` (an id from the query
    string) if it is deeper and in scope. At most two queries; the caller adds its "all" choice.
    Sorted here, not in SQL: ordering by path would make SQLite walk the whole path index
    instead of the few hundred rows the depth index finds."""
    scope = scope_for(user, action)
    if scope.is_empty:
        return []
    top = min((tree.depth(p) for p in scope.paths), default=1)
    orgs = organization_list_for(user, action=action)
    found = sorted(
        orgs.filter(depth__lte=top + 2).order_by().values_list("path", "pk", "name", "depth")
    )
    choices = [
        (str(pk), "\u3000" * max(depth - top, 0) + name) for _path, pk, name, depth in found[:limit]
    ]
    selected_id = parse_id(selected)
    if selected_id and all(value != str(selected_id) for value, _label in choices):
        extra = orgs.filter(pk=selected_id).values_list("pk", "name").first()
        if extra is not None:
            choices.append((str(extra[0]), extra[1]))
    return choices
