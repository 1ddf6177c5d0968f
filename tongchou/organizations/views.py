"""Organization pages: tree browser, detail, search, and the create/edit/move/dissolve forms.

Views stay small: a form validates input, a scoped selector fetches (out of scope is a 404),
one service writes, and its ApplicationError lands on the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import apply_error
from tongchou.organizations import selectors, services
from tongchou.organizations.forms import DissolveForm, MoveForm, OrganizationForm, SearchForm
from tongchou.organizations.models import ChainLink, OrgStatus, OrgType
from tongchou.organizations.permissions import Action, can, has_any_role


def _require_role(user) -> None:
    """List pages: a signed-in user without any role is refused outright (403)."""
    if not has_any_role(user):
        raise PermissionDenied


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def tree_view(request):
    _require_role(request.user)
    rows, open_rows = selectors.tree_for(request.user)  # one root: its children shown open
    context = {
        "rows": rows,
        "open_rows": open_rows,
        "open_pk": rows[0].org.pk if open_rows is not None else None,
    }
    return render(request, "organizations/tree.html", context)


@login_required
def children(request, pk):
    """htmx partial: the children of one organization with their counts."""
    org = selectors.organization_get_for(request.user, pk)
    rows = selectors.children_with_counts(request.user, org)
    return render(request, "organizations/_children.html", {"rows": rows, "parent": org})


@login_required
def search(request):
    _require_role(request.user)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = list(selectors.organization_search_for(request.user, query)) if query else []
    template = (
        "organizations/_search_results.html" if _is_htmx(request) else "organizations/search.html"
    )
    return render(request, template, {"form": form, "query": query, "results": results})


@login_required
def detail(request, pk):
    user = request.user
    org = selectors.organization_get_for(user, pk)
    totals = selectors.subtree_totals_for(org)
    lead_visible = org.lead_id is not None and can(user, Action.VIEW_ORGS, org.lead.path)
    ancestors = selectors.ancestors_for(user, org)
    context = {
        "org": org,
        "ancestors": ancestors,
        "parent_visible": bool(ancestors) and ancestors[-1].pk == org.parent_id,
        "chain_links": [ChainLink(link).label for link in org.chain_links or []],
        "rows": selectors.children_with_counts(user, org),
        "totals": totals,
        "units": list(org.units.select_related("region")),
        "led": list(
            selectors.organization_list_for(user)
            .filter(lead=org, org_type=OrgType.JOINT)
            .select_related("region")
            .order_by("name")
        ),
        "lead_visible": lead_visible,
        "can_manage": org.status == OrgStatus.ACTIVE and can(user, Action.MANAGE_ORGS, org.path),
        "can_view_members": can(user, Action.VIEW_MEMBERS, org.path),
    }
    return render(request, "organizations/detail.html", context)


def _manageable(request, pk):
    """The organization if the user may manage it; otherwise 404 (forbidden looks missing)."""
    return selectors.organization_get_for(request.user, pk, action=Action.MANAGE_ORGS)


@login_required
@require_http_methods(["GET", "POST"])
def create_child(request, pk):
    parent = _manageable(request, pk)
    form = OrganizationForm(
        request.POST or None,
        user=request.user,
        initial={"region": parent.region_id, "urban_rural": ""},
        region_prefix=parent.region_id[:4],
    )
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        joint = values["org_type"] == OrgType.JOINT
        try:
            org = services.organization_create(
                actor=request.user,
                parent=parent,
                units=list(form.cleaned_data["units"]) if joint else None,
                new_units=form.cleaned_data["new_units"] if joint else None,
                **values,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已新建组织“%(name)s”。") % {"name": org.name})
            return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/form.html",
        {
            "form": form,
            "parent": parent,
            "org": None,
            "ancestors": selectors.ancestors_for(request.user, parent),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    org = _manageable(request, pk)
    form = OrganizationForm(
        request.POST or None,
        user=request.user,
        editing=True,
        initial=OrganizationForm.initial_for(org),
        region_prefix=org.region_id[:4],
    )
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            joint = values["org_type"] == OrgType.JOINT
            org = services.organization_update(
                actor=request.user,
                org=org,
                units=list(form.cleaned_data["units"]) if joint else None,
                new_units=form.cleaned_data["new_units"] if joint else None,
                **values,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存组织“%(name)s”。") % {"name": org.name})
            return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/form.html",
        {
            "form": form,
            "parent": org.parent,
            "org": org,
            "ancestors": selectors.ancestors_for(request.user, org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk):
    org = _manageable(request, pk)
    form = MoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_move(
                actor=request.user, org=org, new_parent=form.cleaned_data["new_parent"]
            )
        except ApplicationError as exc:
            if exc.field == "parent":
                exc.field = "new_parent"
            apply_error(form, exc)
        else:
            messages.success(request, _("已移动组织“%(name)s”。") % {"name": org.name})
            return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/move.html",
        {"form": form, "org": org, "ancestors": selectors.ancestors_for(request.user, org)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request, pk):
    org = _manageable(request, pk)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_dissolve(
                actor=request.user,
                org=org,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已撤销组织“%(name)s”。") % {"name": org.name})
            return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/dissolve.html",
        {"form": form, "org": org, "ancestors": selectors.ancestors_for(request.user, org)},
    )
