"""Transfer pages: list (tabs: waiting for me, in, out, all), request forms (within/outward for
a member, inward with the received letter), detail with history and the steps the viewer may
take, and the introduction letter as a printable page and as PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error
from tongchou.organizations.permissions import Action, can
from tongchou.transfers import letters, permissions, selectors, services
from tongchou.transfers.filters import TransferFilter
from tongchou.transfers.forms import (
    InwardForm,
    NoteForm,
    RequestForm,
    ReturnForm,
    destination_organizations,
)
from tongchou.transfers.models import TransferKind

PAGE_SIZE = 50
ORG_OPTIONS_LIMIT = 20
STEP_SERVICES = {
    "approve_out": services.transfer_approve_out,
    "approve_upper": services.transfer_approve_upper,
    "accept": services.transfer_accept,
    "return": services.transfer_return,
    "cancel": services.transfer_cancel,
}
STEP_DONE = {
    "approve_out": gettext_lazy("已同意转出，介绍信已开具。"),
    "approve_upper": gettext_lazy("已审批同意。"),
    "accept": gettext_lazy("已办结，组织关系转接完成。"),
    "return": gettext_lazy("已退回。"),
    "cancel": gettext_lazy("已撤回。"),
}


def _require_transfers(user) -> None:
    if not selectors.may_use_transfers(user):
        raise PermissionDenied


def _tab(request) -> str:
    if request.GET.get("pending") in ("true", "1", "on"):
        return "pending"
    return request.GET.get("direction") or "all"


@login_required
@require_GET
def transfer_list(request):
    user = request.user
    _require_transfers(user)
    rows = selectors.transfer_list_for(user).select_related("from_org", "to_org")
    filterset = TransferFilter(request.GET, queryset=rows, request=request)
    form = filterset.form
    for name in ("state", "kind"):
        field = form.fields[name]
        field.widget = FastSelect()
        field.choices = [("", _("全部")), *[c for c in field.choices if c[0] != ""]]
    shown = filterset.qs if filterset.is_valid() else rows.none()
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    manages = can(user, Action.MANAGE_MEMBERS)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "transfers/list.html",
        {
            "filter": filterset,
            "page": page,
            "tab": _tab(request),
            "pending_count": selectors.pending_for(user).count() if manages else 0,
            "can_register_inward": manages,
            "query_without_page": params.urlencode(),
        },
    )


@login_required
@require_GET
def organization_options(request):
    """``<option>``s for the destination picker (htmx fills the datalist as one types)."""
    _require_transfers(request.user)
    query = (request.GET.get("to_org") or request.GET.get("q") or "").replace("\x00", "").strip()
    orgs = []
    if query:
        match = destination_organizations().filter(name__icontains=query) | (
            destination_organizations().filter(code__istartswith=query)
        )
        orgs = match.order_by("path").values_list("code", "name")[:ORG_OPTIONS_LIMIT]
    html = format_html_join("", '<option value="{}">{}</option>', orgs)
    return HttpResponse(html)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_create(request):
    user = request.user
    member = None
    data = request.POST if request.method == "POST" else None
    if request.GET.get("member"):
        member = selectors.member_for_request(user, request.GET["member"])
        if not permissions.may_request(user, member):
            raise PermissionDenied
        form = RequestForm(data)
    else:
        if not can(user, Action.MANAGE_MEMBERS):
            raise PermissionDenied
        form = InwardForm(data)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if member is None:
            kwargs["kind"] = TransferKind.INWARD
        try:
            transfer = services.transfer_request(actor=user, member=member, **kwargs)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已提交转接申请。"))
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request,
        "transfers/form.html",
        {"form": form, "member": member, "inward": member is None},
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _render_detail(request, transfer, *, step_forms=None, status=200):
    user = request.user
    forms = {
        "approve_out": NoteForm(prefix="approve_out"),
        "approve_upper": NoteForm(prefix="approve_upper"),
        "accept": NoteForm(prefix="accept"),
        "return": ReturnForm(prefix="return"),
        "cancel": NoteForm(prefix="cancel"),
    }
    forms.update(step_forms or {})
    allowed = permissions.allowed_steps(user, transfer)
    return render(
        request,
        "transfers/detail.html",
        {
            "t": transfer,
            "steps": list(selectors.steps_of(transfer)),
            "allowed": allowed,
            "forms": forms,
            "reversed_by": list(transfer.reversed_by.all()),
            # Errors of a step no longer offered (e.g. someone else took it meanwhile).
            "stale_errors": [
                error
                for step, form in (step_forms or {}).items()
                if step not in allowed
                for errors in form.errors.values()
                for error in errors
            ],
        },
        status=status,
    )


@login_required
@require_GET
def transfer_detail(request, pk):
    return _render_detail(request, selectors.transfer_get_for(request.user, pk))


@login_required
@require_POST
def transfer_step(request, pk, step):
    user = request.user
    transfer = selectors.transfer_get_for(user, pk)
    form = (ReturnForm if step == "return" else NoteForm)(request.POST, prefix=step)
    if form.is_valid():
        value = form.cleaned_data.get("reason" if step == "return" else "note", "")
        kwargs = {"reason": value} if step == "return" else {"note": value}
        try:
            STEP_SERVICES[step](actor=user, transfer=transfer, **kwargs)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, STEP_DONE[step])
            return redirect("transfers:detail", pk=transfer.pk)
    transfer = selectors.transfer_get_for(user, pk)  # as it is now
    return _render_detail(request, transfer, step_forms={step: form}, status=400)


def _letter_transfer(request, pk):
    transfer = selectors.transfer_get_for(request.user, pk)
    if not transfer.has_letter:
        raise Http404
    return transfer


@login_required
@require_GET
def letter_page(request, pk):
    transfer = _letter_transfer(request, pk)
    return render(
        request,
        "transfers/letter.html",
        {"t": transfer, "letter": letters.letter_for(transfer)},
    )


@login_required
@require_GET
def letter_pdf(request, pk):
    transfer = _letter_transfer(request, pk)
    response = HttpResponse(letters.letter_pdf(transfer), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="transfer-letter-{transfer.pk}.pdf"'
    return response
