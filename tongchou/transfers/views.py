"""Transfer pages: list (tabs: waiting for me, in, out, all), request forms (within/outward for
a member, inward with the received letter), detail with history and the steps the viewer may
take (each form carries the version the viewer saw), and the introduction letter as a printable
page and as PDF — always in Chinese, each print audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import FastSelect, apply_error
from tongchou.organizations.permissions import Action, can
from tongchou.transfers import letters, permissions, selectors, services
from tongchou.transfers.filters import TransferFilter
from tongchou.transfers.forms import (
    ApproveOutForm,
    ApproveUpperForm,
    InwardForm,
    RequestForm,
    ReturnForm,
    StepForm,
    destination_organizations,
)
from tongchou.transfers.models import Transfer, TransferKind

PAGE_SIZE = 50
ORG_OPTIONS_LIMIT = 20
STEP_SERVICES = {
    "approve_out": services.transfer_approve_out,
    "approve_upper": services.transfer_approve_upper,
    "accept": services.transfer_accept,
    "return": services.transfer_return,
    "cancel": services.transfer_cancel,
}
STEP_FORMS = {
    "approve_out": ApproveOutForm,
    "approve_upper": ApproveUpperForm,
    "accept": StepForm,
    "return": ReturnForm,
    "cancel": StepForm,
}
STEP_DONE = {
    "approve_out": gettext_lazy("已同意转出。"),
    "approve_upper": gettext_lazy("已审批同意，介绍信已开具。"),
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
        form = InwardForm(data, user=user)
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


def _step_form(step: str, transfer: Transfer, data=None):
    """The form of one step, for the transfer as the viewer sees it now."""
    kwargs = {"prefix": step, "initial": {"version": transfer.version}}
    if step == "approve_out":
        kwargs["issues_letter"] = not transfer.needs_upper_approval
    if step in ("approve_out", "approve_upper"):
        kwargs["initial"]["issuer_phone"] = selectors.last_issuer_phone(transfer)
    return STEP_FORMS[step](data, **kwargs)


def _render_detail(request, transfer, *, step_forms=None, status=200):
    user = request.user
    allowed = permissions.allowed_steps(user, transfer)
    forms = {step: _step_form(step, transfer) for step in allowed}
    for step, form in (step_forms or {}).items():
        if step in allowed:
            # Keep what was typed, with the version now shown: acting again is acting on
            # the transfer as it is on this page.
            form.data = form.data.copy()
            form.data[f"{step}-version"] = transfer.version
            forms[step] = form
    return render(
        request,
        "transfers/detail.html",
        {
            "t": transfer,
            "steps": list(selectors.steps_of(transfer)),
            "allowed": allowed,
            "forms": forms,
            "requester_waits": permissions.waits_for_another_approver(user, transfer),
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
    form = _step_form(step, transfer, request.POST)
    if form.is_valid():
        try:
            STEP_SERVICES[step](actor=user, transfer=transfer, **form.service_kwargs())
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


@never_cache
@login_required
@require_GET
def letter_page(request, pk):
    """The printable letter (stub, letter, receipt), in Chinese whatever the UI language."""
    transfer = _letter_transfer(request, pk)
    letter = services.transfer_letter_print(actor=request.user, transfer=transfer, medium="page")
    with translation.override(letters.LETTER_LANGUAGE):
        return render(request, "transfers/letter.html", {"t": transfer, "letter": letter})


def pdf_response(letter: letters.Letter, transfer: Transfer) -> HttpResponse:
    response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="transfer-letter-{transfer.pk}.pdf"'
    return response


@never_cache
@login_required
@require_GET
def letter_pdf(request, pk):
    transfer = _letter_transfer(request, pk)
    letter = services.transfer_letter_print(actor=request.user, transfer=transfer, medium="pdf")
    return pdf_response(letter, transfer)
