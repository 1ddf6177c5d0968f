"""Pairing pages: the list, a pair with its yearly summary (promised beside flowed, both ways,
with the records behind each figure), and the forms that keep a pair, its members and its
items. Thin views: a form, one scoped selector, one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.organizations.permissions import Action
from tongchou.organizations.selectors import organization_picker_choices
from tongchou.pairing import permissions, selectors, services
from tongchou.pairing.filters import PairFilter
from tongchou.pairing.forms import ItemForm, MemberForm, PairForm, _org_options

PAGE_SIZE = 50


def _require(user, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
@require_GET
def pair_list(request):
    user = request.user
    _require(user, permissions.can_use_pairs(user))
    rows = selectors.with_members(selectors.pair_list_for(user)).order_by("-starts_on", "-id")
    filterset = PairFilter(request.GET, queryset=rows, request=request)
    filterset.form.fields["org"].widget = FastSelect(
        choices=[
            ("", _("全部（我的范围）")),
            *organization_picker_choices(
                user, selected=request.GET.get("org"), action=Action.VIEW_ORGS
            ),
        ]
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pairing/list.html",
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "can_keep": permissions.can_keep_pairs(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pair_create(request):
    user = request.user
    _require(user, permissions.can_keep_pairs(user))
    form = PairForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            pair = services.pair_create(actor=user, **data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记结对共建。"))
            return redirect("pairing:detail", pk=pair.pk)
    return render(request, "pairing/form.html", {"form": form, "title": _("登记结对共建")})


def _year(request, pair) -> int:
    years = selectors.years_of(pair)
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if year in years else selectors.default_year(pair)


def _detail(request, pair, *, member_form=None, item_form=None, status=200):
    user = request.user
    year = _year(request, pair)
    manages = permissions.can_manage_pair(user, pair)
    years = selectors.years_of(pair)
    if item_form is None:
        item_form = ItemForm(years=years, initial={"year": year})
    return render(
        request,
        "pairing/detail.html",
        {
            "pair": pair,
            "members": list(pair.members.all()),
            "year": year,
            "years": years,
            "summary": selectors.pair_summary(pair, year, viewer=user),
            "items": pair.items.order_by("year", "kind", "-direction", "id"),
            "manages": manages,
            "member_form": member_form or MemberForm(),
            "item_form": item_form,
            "org_options": _org_options(user) if manages else [],
        },
        status=status,
    )


@login_required
@require_GET
def pair_detail(request, pk):
    pair = selectors.pair_get_for(request.user, pk)
    return _detail(request, pair)


@login_required
@require_http_methods(["GET", "POST"])
def pair_edit(request, pk):
    user = request.user
    pair = selectors.pair_get_for(user, pk)
    _require(user, permissions.can_manage_pair(user, pair))
    form = PairForm(request.POST or None, user=user, pair=pair, initial=PairForm.initial_for(pair))
    if request.method == "POST" and form.is_valid():
        try:
            services.pair_update(actor=user, pair=pair, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("pairing:detail", pk=pair.pk)
    return render(
        request, "pairing/form.html", {"form": form, "title": _("编辑结对共建"), "pair": pair}
    )


@login_required
@require_POST
def member_add(request, pk):
    user = request.user
    pair = selectors.pair_get_for(user, pk)
    _require(user, permissions.can_manage_pair(user, pair))
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.pair_member_add(
                actor=user, pair=pair, organization=form.cleaned_data["organization"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已加入结对共建。"))
            return redirect("pairing:detail", pk=pair.pk)
    return _detail(request, pair, member_form=form, status=400)


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    user = request.user
    pair = selectors.pair_get_for(user, pk)
    _require(user, permissions.can_manage_pair(user, pair))
    member = selectors.member_get(pair, member_pk)
    try:
        services.pair_member_remove(actor=user, pair=pair, member=member)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已移出结对共建。"))
    return redirect("pairing:detail", pk=pair.pk)


@login_required
@require_POST
def item_add(request, pk):
    user = request.user
    pair = selectors.pair_get_for(user, pk)
    _require(user, permissions.can_manage_pair(user, pair))
    form = ItemForm(request.POST, years=selectors.years_of(pair))
    if form.is_valid():
        try:
            item = services.pair_item_add(actor=user, pair=pair, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加共建事项。"))
            return redirect(f"{reverse('pairing:detail', args=[pair.pk])}?year={item.year}")
    return _detail(request, pair, item_form=form, status=400)


@login_required
@require_POST
def item_remove(request, pk, item_pk):
    user = request.user
    pair = selectors.pair_get_for(user, pk)
    _require(user, permissions.can_manage_pair(user, pair))
    item = selectors.item_get(pair, item_pk)
    try:
        services.pair_item_remove(actor=user, pair=pair, item=item)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已删除共建事项。"))
    return redirect("pairing:detail", pk=pair.pk)
