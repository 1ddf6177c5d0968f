"""Account pages: the people of one's scope (list, one account with its actions), new accounts
(for a member and/or a role at an organization, for station staff, a whole branch at once),
and the audit log. Thin: form → selector → service → render.

Passwords handed out (a new account's, a reset's, a bulk creation's) are shown once, in the
response to the request that made them, with ``Cache-Control: no-store``: they are stored
nowhere in clear, and a reload creates nothing new (a bulk creation skips members who have
an account)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.accounts import auditlog, selectors, services
from tongchou.accounts.filters import AccountFilter, AuditEventFilter
from tongchou.accounts.forms import (
    AccountForm,
    DeactivateForm,
    LinkMemberForm,
    RoleGrantForm,
    StaffAccountForm,
)
from tongchou.accounts.permissions import may_manage_accounts
from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.organizations.models import Organization, Role
from tongchou.organizations.permissions import Action, can
from tongchou.organizations.selectors import organization_picker_choices

PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50


def _require_manager(user) -> None:
    if not may_manage_accounts(user):
        raise PermissionDenied


def _select(field, choices) -> None:
    field.widget = FastSelect()
    field.choices = choices
    field.widget.choices = choices


def _all_choice(field) -> list:
    """One "all" choice, then the field's own (never both "---------" and "全部")."""
    return [("", _("全部")), *[c for c in field.choices if c[0] != ""]]


def _org_picker(user, selected) -> list[tuple[str, str]]:
    return organization_picker_choices(user, selected=selected, action=Action.MANAGE_MEMBERS)


def _private(response):
    """Pages showing a password: never stored by a browser or a proxy."""
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
    return response


# --- the people of one's scope ---------------------------------------------------------------


@login_required
@require_GET
def account_list(request):
    user = request.user
    _require_manager(user)
    accounts = selectors.account_list_for(user).order_by("username")
    filterset = AccountFilter(request.GET, queryset=accounts)
    form = filterset.form
    _select(
        form.fields["org"],
        [("", _("全部（我的范围）")), *_org_picker(user, request.GET.get("org"))],
    )
    for name in ("role", "status"):
        _select(form.fields[name], _all_choice(form.fields[name]))
    rows = filterset.qs if filterset.is_valid() else accounts.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/account_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": selectors.account_rows(list(page)),
            "query_without_page": query_without(request, "page"),
            "can_staff": selectors.stations_for_staff(user).exists(),
        },
    )


def _detail_context(request, account, **forms) -> dict:
    actor = request.user
    row = selectors.account_row(account)
    may_act = selectors.may_act(actor, row)
    grant_form = forms.get("grant_form") or RoleGrantForm(
        organizations=_grant_organizations(actor, row)
    )
    link_form = None
    if may_act and row.member is None:
        link_form = forms.get("link_form") or LinkMemberForm(members=_linkable_members(actor, row))
    return {
        "row": row,
        "account": account,
        "may_act": may_act,
        "is_self": account.pk == actor.pk,
        "grant_form": grant_form,
        "link_form": link_form,
        "deactivate_form": forms.get("deactivate_form") or DeactivateForm(),
        "revocable": {
            r.pk for r in row.roles if selectors.may_revoke(actor, account, r.kind, r.path)
        },
    }


def _grant_organizations(actor, row) -> list[tuple[str, str]]:
    """The organizations offered for a new role: those of the account's own ties first (where a
    role is most often wanted), then the top levels of the actor's scope."""
    own = [(str(o.pk), o.name) for o in selectors.anchor_organizations(actor, row)]
    mine = {value for value, _label in own}
    picker = [(v, label) for v, label in _org_picker(actor, None) if v not in mine]
    return [("", _("请选择")), *own, *picker]


def _linkable_members(actor, row):
    """Member records offered for linking: those without an account where the account holds
    its roles (a secretary is usually a member of the branch they lead)."""
    orgs = selectors.anchor_organizations(actor, row)
    return selectors.members_without_account_in(actor, orgs)


def _render_detail(request, account, status=200, **forms):
    return render(
        request,
        "accounts/account_detail.html",
        _detail_context(request, account, **forms),
        status=status,
    )


@login_required
@require_GET
def account_detail(request, pk):
    _require_manager(request.user)
    account = selectors.account_get_for(request.user, pk)
    return _render_detail(request, account)


# --- new accounts ----------------------------------------------------------------------------


def _issued(request, issued, *, title: str, reset: bool = False):
    return _private(
        render(
            request,
            "accounts/issued.html",
            {
                "issued": issued,
                "title": title,
                "reset": reset,
                "expires": min(item.expires for item in issued),
            },
        )
    )


def _choose_organization(request, *, title: str, step: str):
    """The organization a creation is for: ``?org=<id>`` (the picker offers the top levels of
    one's scope) or ``?code=<organization code>`` for any organization in it. Returns the
    organization, or the page asking for one."""
    actor = request.user
    org_id, code = request.GET.get("org"), (request.GET.get("code") or "").strip()
    if org_id:
        return selectors.managed_organization_get(actor, org_id)
    error = None
    if code:
        found = selectors.managed_organization_by_code(actor, code)
        if found is not None:
            return found
        error = _("您管理的范围内没有这个组织代码。")
    return render(
        request,
        "accounts/choose_organization.html",
        {"choices": _org_picker(actor, None), "title": title, "next": step, "error": error,
         "code": code},
        status=400 if error else 200,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    """A new account at one organization (chosen first)."""
    actor = request.user
    _require_manager(actor)
    organization = _choose_organization(request, title=_("开通账号"), step="create")
    if not isinstance(organization, Organization):
        return organization
    members = selectors.members_without_account(actor, organization).filter(
        organization=organization
    )
    form = AccountForm(
        request.POST or None, actor=actor, organization=organization, members=members
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                member = (
                    selectors.member_for_account_get(actor, data["member"])
                    if data["member"]
                    else None
                )
                issued = services.account_create(
                    actor=actor,
                    username=data["username"],
                    name=data["name"],
                    member=member,
                    role_kind=data["kind"],
                    role_organization=organization if data["kind"] else None,
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                return _issued(request, [issued], title=_("账号已开通"))
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "organization": organization},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    """A new account for the staff of a member service station (no role)."""
    actor = request.user
    _require_manager(actor)
    stations = selectors.stations_for_staff(actor)
    form = StaffAccountForm(request.POST or None, stations=stations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                issued = services.account_create(
                    actor=actor,
                    username=data["username"],
                    name=data["name"],
                    station=data["station"],
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                return _issued(request, [issued], title=_("服务站工作人员账号已开通"))
    return render(
        request,
        "accounts/staff_form.html",
        {"form": form, "has_stations": stations.exists()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulk_create(request):
    """Accounts for every member of a branch who has none, printed once."""
    actor = request.user
    _require_manager(actor)
    organization = _choose_organization(request, title=_("批量开通党员账号"), step="bulk")
    if not isinstance(organization, Organization):
        return organization
    error = None
    if request.method == "POST":
        try:
            issued = services.accounts_bulk_create(actor=actor, organization=organization)
        except ApplicationError as exc:
            error = exc.message
        else:
            return _issued(
                request,
                issued,
                title=_("%(org)s：党员账号与初始密码") % {"org": organization.name},
            )
    members = selectors.members_without_account(actor, organization)
    return render(
        request,
        "accounts/bulk.html",
        {
            "organization": organization,
            "members": members[: selectors.BULK_LIMIT],
            "count": members.count(),
            "limit": selectors.BULK_LIMIT,
            "error": error,
        },
        status=400 if error else 200,
    )


# --- acting on one account -------------------------------------------------------------------


def _act(request, pk, call, success: str):
    """One action on an account from its page: the service, then back to the page (or the
    page again with the service's error, 400)."""
    _require_manager(request.user)
    account = selectors.account_get_for(request.user, pk)
    try:
        call(account)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _render_detail(request, account, status=400)
    messages.success(request, success)
    return redirect("accounts:detail", pk=account.pk)


@login_required
@require_POST
def role_grant(request, pk):
    actor = request.user
    _require_manager(actor)
    account = selectors.account_get_for(actor, pk)
    row = selectors.account_row(account)
    form = RoleGrantForm(request.POST, organizations=_grant_organizations(actor, row))
    if form.is_valid():
        organization = selectors.managed_organization_get(actor, form.cleaned_data["organization"])
        try:
            services.role_grant(
                actor=actor, user=account, organization=organization, kind=form.cleaned_data["kind"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已授予角色。"))
            return redirect("accounts:detail", pk=account.pk)
    return _render_detail(request, account, status=400, grant_form=form)


@login_required
@require_POST
def role_revoke(request, pk, role_pk):
    def call(account):
        role = selectors.role_of(selectors.account_row(account), role_pk)
        services.role_revoke(actor=request.user, role=Role.objects.get(pk=role.pk))

    return _act(request, pk, call, _("已撤销角色。"))


@login_required
@require_POST
def deactivate(request, pk):
    form = DeactivateForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        pk,
        lambda account: services.account_deactivate(actor=request.user, user=account, note=note),
        _("账号已停用，其登录和 API 令牌已失效。"),
    )


@login_required
@require_POST
def reactivate(request, pk):
    return _act(
        request,
        pk,
        lambda account: services.account_reactivate(actor=request.user, user=account),
        _("账号已启用。"),
    )


@login_required
@require_POST
def password_reset(request, pk):
    actor = request.user
    _require_manager(actor)
    account = selectors.account_get_for(actor, pk)
    try:
        issued = services.password_reset(actor=actor, user=account)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _render_detail(request, account, status=400)
    return _issued(request, [issued], title=_("密码已重置"), reset=True)


@login_required
@require_POST
def member_link(request, pk):
    actor = request.user
    _require_manager(actor)
    account = selectors.account_get_for(actor, pk)
    row = selectors.account_row(account)
    form = LinkMemberForm(request.POST, members=_linkable_members(actor, row))
    if form.is_valid():
        try:
            member = selectors.member_for_account_get(actor, form.cleaned_data["member"])
            services.account_link_member(actor=actor, user=account, member=member)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已关联党员记录。"))
            return redirect("accounts:detail", pk=account.pk)
    return _render_detail(request, account, status=400, link_form=form)


@login_required
@require_POST
def member_unlink(request, pk):
    return _act(
        request,
        pk,
        lambda account: services.account_unlink_member(actor=request.user, user=account),
        _("已取消关联党员记录。"),
    )


# --- the audit log ---------------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request):
    """Audit events of the user's scope (superuser: all), newest first, with names."""
    if not can(request.user, Action.VIEW_AUDIT):
        raise PermissionDenied
    events = auditlog.audit_event_list_for(request.user)
    filterset = AuditEventFilter(request.GET, queryset=events)
    form = filterset.form
    for name in ("action", "object_type"):
        _select(form.fields[name], _all_choice(form.fields[name]))
    # An invalid filter value is ignored (that filter only), not an error.
    rows = filterset.qs
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit.html",
        {
            "filter": filterset,
            "page": page,
            "rows": auditlog.describe(list(page), request.user),
            "query": query_without(request, "page"),
        },
    )
