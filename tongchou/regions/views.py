"""A small read-only browser of administrative divisions (for anyone holding a role)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from tongchou.organizations.permissions import has_any_role
from tongchou.regions.models import Region


def _require_role(user) -> None:
    if not has_any_role(user):
        raise PermissionDenied


@login_required
def index(request):
    _require_role(request.user)
    roots = Region.objects.filter(parent__isnull=True).order_by("code")
    return render(request, "regions/index.html", {"regions": roots})


@login_required
def detail(request, code):
    _require_role(request.user)
    region = get_object_or_404(
        Region.objects.select_related("parent__parent__parent__parent"), code=code
    )
    ancestors = []
    parent = region.parent
    while parent is not None and len(ancestors) < 5:
        ancestors.insert(0, parent)
        parent = parent.parent
    children = region.children.order_by("code")
    return render(
        request,
        "regions/detail.html",
        {"region": region, "ancestors": ancestors, "children": children},
    )
