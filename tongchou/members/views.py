"""Member pages: list (filters, search, export), detail (masked; reveal on request), create,
edit, archive, and import (upload → job page with progress → error report)."""

import io
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core import crypto, spreadsheets
from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error, query_without
from tongchou.core.validators import parse_id
from tongchou.members import exporting, importing, panels, selectors, services
from tongchou.members.filters import ORDERINGS, MemberFilter
from tongchou.members.forms import ArchiveForm, ImportForm, MemberForm
from tongchou.members.id_numbers import (
    LookupLimitReached,
    is_id_number,
    looks_personal,
    loosen,
    spend_lookup,
)
from tongchou.organizations.permissions import Action, can
from tongchou.organizations.selectors import organization_list_for, organization_picker_choices

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number_enc",
    "phone_enc",
    "category",
    "admission_date",
    "status",
    "org_path",
    "archived",
    "organization__id",
    "organization__name",
)
ORDERING_LABELS = {
    "organization": gettext_lazy("按组织"),
    "-organization": gettext_lazy("按组织（倒序）"),
    "name": gettext_lazy("按姓名"),
    "-name": gettext_lazy("按姓名（倒序）"),
    "birth_date": gettext_lazy("按出生日期"),
    "-birth_date": gettext_lazy("按出生日期（倒序）"),
    "admission_date": gettext_lazy("按入党日期"),
    "-admission_date": gettext_lazy("按入党日期（倒序）"),
}


def _require(user, action: str) -> None:
    """Pages of the member registry need a role that grants ``action`` somewhere: 403 if not
    (anonymous users were sent to the login page by ``login_required``)."""
    if not can(user, action):
        raise PermissionDenied


def _member_filter(request, queryset) -> MemberFilter:
    filterset = MemberFilter(request.GET, queryset=queryset, request=request)
    form = filterset.form
    form.fields["org"].widget = FastSelect(
        choices=[
            ("", _("全部（我的范围）")),
            *organization_picker_choices(request.user, selected=request.GET.get("org")),
        ]
    )
    for name in ("category", "status", "gender", "ethnicity", "urban_rural"):
        field = form.fields[name]
        field.widget = FastSelect()
        field.choices = [("", _("全部")), *[c for c in field.choices if c[0] != ""]]
    form.fields["ordering"].widget = FastSelect()
    form.fields["ordering"].choices = [(k, ORDERING_LABELS.get(k, k)) for k in ORDERINGS]
    form.fields["ordering"].required = False
    return filterset


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request):
    """GET lists and filters. POST is the exact lookup by ID number (the search box posts a
    full ID number, so it never appears in a URL). A GET never carries one: the middleware
    refuses full ID numbers in any URL, and this page drops anything else personal from its
    name search (part of an ID number, a phone number) without echoing it."""
    user = request.user
    _require(user, Action.VIEW_MEMBERS)
    if request.method == "POST":
        return _lookup_by_id_number(request)
    if looks_personal(request.GET.get("q", "")):
        messages.warning(
            request,
            _("姓名查找不接受身份证号或手机号：请在查找框中输入完整的18位身份证号查找。"),
        )
        rest = query_without(request, "q")
        return redirect(reverse("members:list") + (f"?{rest}" if rest else ""))
    members = selectors.member_list_for(user).select_related("organization").only(*LIST_FIELDS)
    filterset = _member_filter(request, members)
    rows = filterset.qs if filterset.is_valid() else members.none()
    paginator = Paginator(rows, PAGE_SIZE)
    total = selectors.list_total_from_counters(user, filterset)
    if total is not None:
        paginator.count = total
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "members/member_list.html",
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "export_params": [
                (k, v) for k, vs in request.GET.lists() if k not in ("page", "unmasked") for v in vs
            ],
            "can_manage": can(user, Action.MANAGE_MEMBERS),
            "can_export": can(user, Action.EXPORT),
            "can_reveal": can(user, Action.REVEAL),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_detail(request, pk):
    member = selectors.member_get_for(request.user, pk)
    revealed = None
    if request.method == "POST":  # 显示完整信息: audited by the service
        revealed = services.member_reveal(actor=request.user, member=member)
    return _render_detail(request, member, revealed=revealed)


def _lookup_by_id_number(request):
    """The exact lookup by ID number (POST): in scope, the member's page; otherwise one answer
    whether the number belongs to nobody or to someone out of scope. Each lookup spends one of
    the hour's budget (members.id_numbers)."""
    query = request.POST.get("q", "")
    if not is_id_number(query):
        messages.error(request, _("请输入完整的18位身份证号。"))
        return redirect("members:list")
    try:
        spend_lookup(request.user, field="q")
    except LookupLimitReached as exc:
        messages.error(request, str(exc.message))
        return redirect("members:list")
    member = selectors.member_find_by_id_number(request.user, query)
    if member is not None:
        return redirect("members:detail", pk=member.pk)
    messages.info(request, _("没有找到该身份证号的党员（或不在您的范围内）。"))
    return redirect("members:list")


def _render_detail(request, member, *, revealed=None, archive_form=None, status=200):
    user = request.user
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "revealed": revealed,
            "can_manage": can(user, Action.MANAGE_MEMBERS, member.org_path),
            "can_reveal": can(user, Action.REVEAL, member.org_path),
            "archive_form": archive_form or ArchiveForm(),
            "panels": panels.panels_for(user, member),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    initial = {}
    org_id = parse_id(request.GET.get("org"))
    if org_id:
        org = organization_list_for(user, action=Action.MANAGE_MEMBERS).filter(pk=org_id).first()
        if org is not None:
            initial["organization"] = org.code
    form = MemberForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            member = services.member_create(actor=user, **data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加党员 %(name)s。") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    user = request.user
    member = selectors.member_get_for(user, pk, action=Action.MANAGE_MEMBERS)
    if member.archived:
        messages.error(request, _("已归档的党员记录不能修改。"))
        return redirect("members:detail", pk=member.pk)
    form = MemberForm(
        request.POST or None, user=user, member=member, initial=MemberForm.initial_for(member)
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_update(actor=user, member=member, **form.service_kwargs())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": member})


@login_required
@require_POST
def member_archive(request, pk):
    user = request.user
    member = selectors.member_get_for(user, pk, action=Action.MANAGE_MEMBERS)
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            services.member_archive(actor=user, member=member, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已归档。"))
        return redirect("members:detail", pk=member.pk)
    return _render_detail(request, member, archive_form=form, status=400)


def _masked_if_id_number(value: str) -> str:
    """Query values go into the audit note: anything personal (an ID number, part of one, a
    phone) is kept masked there, like everywhere else."""
    return crypto.mask_id_number(loosen(value).strip()) if looks_personal(value) else value


@login_required
@require_GET
def member_export(request):
    user = request.user
    _require(user, Action.EXPORT)
    unmasked = request.GET.get("unmasked") == "1"
    if unmasked:
        _require(user, Action.REVEAL)
    members = selectors.member_list_for(user, action=Action.EXPORT)
    filterset = MemberFilter(request.GET, queryset=members, request=request)
    if not filterset.is_valid():
        messages.error(request, _("筛选条件有误，未导出。"))
        return redirect(f"{reverse('members:list')}?{query_without(request, 'unmasked')}")
    # The event is filed under the chosen organization only if it is in the export scope
    # (else under the scope itself), so it lands where the admins responsible can read it.
    org_path = ""
    org_id = filterset.form.cleaned_data.get("org")
    if org_id:
        in_scope = organization_list_for(user, action=Action.EXPORT).filter(pk=org_id)
        org_path = in_scope.values_list("path", flat=True).first()
    filters = urlencode(
        sorted(
            (k, _masked_if_id_number(v))
            for k, v in request.GET.items()
            if k not in ("unmasked", "page") and v
        ),
        safe="*",
    )
    out = exporting.member_export(
        actor=user,
        members=filterset.qs,
        filters=filters,
        unmasked=unmasked,
        org_path=org_path or "",
    )
    org_name = filterset.subtree_organization().name if org_path else None
    return spreadsheets.download(out, *exporting.export_filename(org_name))


# --- import ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    user = request.user
    _require(user, Action.MANAGE_MEMBERS)
    form = ImportForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_job_create(
                actor=user,
                upload=form.cleaned_data["file"],
                default_org=form.cleaned_data.get("default_org"),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return redirect("members:import_job", pk=job.pk)
    return render(
        request,
        "members/import.html",
        {
            "form": form,
            "jobs": selectors.import_job_list_for(user),
            "columns": importing.COLUMNS,
            "max_bytes": settings.IMPORT_MAX_BYTES,
        },
    )


@login_required
@require_GET
def import_template(request):
    _require(request.user, Action.MANAGE_MEMBERS)
    content = importing.import_template_xlsx()
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="member-import-template.xlsx"'
    return response


def _job_context(job) -> dict:
    return {"job": job, "has_report": importing.import_report_exists(job)}


@login_required
@require_GET
def import_job(request, pk):
    job = selectors.import_job_get_for(request.user, pk)
    return render(request, "members/import_job.html", _job_context(job))


@login_required
@require_GET
def import_job_progress(request, pk):
    job = selectors.import_job_get_for(request.user, pk)
    return render(request, "members/_import_progress.html", _job_context(job))


@never_cache
@login_required
@require_GET
def import_job_errors(request, pk):
    job = selectors.import_job_get_for(request.user, pk)
    content = importing.error_report_xlsx(job.errors)
    name = _("%(name)s-错误报告.xlsx") % {"name": _printable_stem(job.filename)}
    return spreadsheets.download(io.BytesIO(content), name, f"import-{job.pk}-errors.xlsx")


@never_cache
@login_required
@require_GET
def import_job_report(request, pk):
    """The uploaded file with its errors marked: it holds ID numbers in the clear, so only the
    job's uploader (or the superuser) gets it, never from a cache, and each download is
    audited."""
    job = selectors.import_job_get_for(request.user, pk)
    content = importing.import_report_download(actor=request.user, job=job)
    name = _("%(name)s-错误标注.xlsx") % {"name": _printable_stem(job.filename)}
    return spreadsheets.download(io.BytesIO(content), name, f"import-{job.pk}-marked.xlsx")


def _printable_stem(filename: str) -> str:
    return "".join(ch for ch in Path(filename).stem if ch.isprintable()) or "import"
