"""A small read-only browser of administrative divisions (for anyone holding a role)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tongchou.organizations.permissions import has_any_role
from tongchou.regions import selectors
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


@login_required
@require_GET
def search(request):
    """Regions by name or code, for the pickers of forms (search as you type). Divisions are
    public facts: any signed-in person may search them (a member registering their own going
    out picks a destination too)."""
    found = selectors.region_search(request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {
                    "code": region.code,
                    "name": region.name,
                    "label": selectors.region_label(region),
                    "path": selectors.path_names(region),
                }
                for region in found
            ]
        }
    )
