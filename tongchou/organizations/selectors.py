"""Reads of organizations, always through a user's scope."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from tongchou.core import tree
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
    org_count: int  # organizations in the child's subtree, itself included
    counts: dict[str, int]  # registered counted tables (members, …) in the child's subtree
    has_children: bool


def children_with_counts(user, parent: Organization) -> list[ChildRow]:
    """The visible children of ``parent`` with subtree counts, in a fixed number of queries:
    one for the children, one per counted table, one for organization counts. Counts group on
    the path prefix that identifies each child, so they cost one index range scan each."""
    children = list(
        organization_list_for(user).filter(parent=parent).select_related("region").order_by("name")
    )
    if not children:
        return []
    width = len(parent.path) + tree.SEGMENT
    within = tree.subtree_q(parent.path, "path") & ~Q(pk=parent.pk)
    org_counts = _prefix_counts(Organization.objects.filter(within), "path", width)
    active_children = _prefix_counts(
        Organization.objects.filter(within, depth=parent.depth + 2, status=OrgStatus.ACTIVE),
        "path",
        width,
    )
    counted = {}
    for label, factory in tree.COUNTED.items():
        base = factory().filter(tree.subtree_q(parent.path, "org_path"))
        counted[label] = _prefix_counts(base, "org_path", width)
    return [
        ChildRow(
            org=child,
            org_count=org_counts.get(child.path, 0),
            counts={label: c.get(child.path, 0) for label, c in counted.items()},
            has_children=active_children.get(child.path, 0) > 0,
        )
        for child in children
    ]


def _prefix_counts(queryset: QuerySet, field: str, width: int) -> dict[str, int]:
    rows = (
        queryset.annotate(prefix=Substr(field, 1, width))
        .values("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
    )
    return dict(rows)


def subtree_count(queryset_factory, org: Organization) -> int:
    return queryset_factory().filter(tree.subtree_q(org.path, "org_path")).count()


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
    ``children_with_counts``. Roots are few (one per role, plus led joint organizations), so
    this costs a few index range counts per root."""
    rows = []
    for root in organization_roots_for(user).select_related("region").order_by("path"):
        within = tree.subtree_q(root.path, "path")
        rows.append(
            ChildRow(
                org=root,
                org_count=Organization.objects.filter(within).count(),
                counts={
                    label: subtree_count(factory, root) for label, factory in tree.COUNTED.items()
                },
                has_children=root.children.filter(status=OrgStatus.ACTIVE).exists(),
            )
        )
    return rows


def role_list_for(user) -> QuerySet[Role]:
    """The user's own roles on active organizations (what the home page greets them with)."""
    if not user.is_authenticated:
        return Role.objects.none()
    return (
        Role.objects.filter(user=user, organization__status=OrgStatus.ACTIVE)
        .select_related("organization", "organization__region")
        .order_by("organization__path", "kind")
    )
