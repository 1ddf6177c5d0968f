"""The home page of every person (what is waiting for them now), and the member's own pages
("我的"): their record (masked), organization, transfer and mobility status, attendance and
study hours (the member-page panels of every app), and three requests of their own: a transfer,
going out, having arrived. A login without a member record gets a page saying so. Nothing here
reaches beyond what the person's roles, stations and own record let them see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import apply_error
from tongchou.members.panels import panels_for
from tongchou.organizations.permissions import Action, can, has_any_role
from tongchou.organizations.selectors import role_list_for, roots_with_counts
from tongchou.portal import selectors
from tongchou.portal.forms import ArrivedForm, GoingOutForm, TransferRequestForm


@login_required
@require_GET
def start(request):
    """Home: the person's roles and the organizations they look after, then what is waiting
    for them — transfer steps to take, arrivals to register at their stations, their imports —
    and their own record's summary if they are a member."""
    user = request.user
    roles = list(role_list_for(user))
    waiting = selectors.waiting_for(user, today=timezone.localdate())
    from tongchou.service.selectors import waiting_for as needs_waiting_for

    needs_waiting = needs_waiting_for(user, timezone.localdate())
    proxy_work = _proxy_work(user)
    return render(
        request,
        "portal/start.html",
        {
            "roles": roles,
            "rows": roots_with_counts(user) if has_any_role(user) else [],
            "waiting": waiting,
            "needs_waiting": needs_waiting,
            "proxy_work": proxy_work,
            "can_view_members": can(user, Action.VIEW_MEMBERS),
            "nothing": not roles
            and not user.is_superuser
            and not waiting.stations
            and waiting.member is None
            and not waiting.transfers
            and not waiting.imports
            and not waiting.bookings_cancelled
            and not waiting.exchanges
            and not needs_waiting["unit_needs"]
            and not needs_waiting["escalated"]
            and not proxy_work,
        },
    )


def _proxy_work(user) -> list[tuple]:
    """The city-service proxy stations the user works at, each with what waits there (results
    to relay to residents, reopened needs, overdue ones)."""
    from tongchou.service import selectors as service_selectors
    from tongchou.service.permissions import staffed_proxy_ids

    staffed = staffed_proxy_ids(user)
    if not staffed:
        return []
    today = timezone.localdate()
    stations = service_selectors.proxy_station_list_for(user).filter(pk__in=staffed)
    return [
        (station, service_selectors.proxy_station_waiting(user, station, today=today, limit=5))
        for station in stations.order_by("name", "id")
    ]


def _no_member(request):
    return render(request, "portal/no_member.html")


@login_required
@require_GET
def home(request):
    member = selectors.own_member(request.user)
    if member is None:
        return _no_member(request)
    context = selectors.summary_for(member, today=timezone.localdate())
    context.update(
        member=member,
        panels=panels_for(request.user, member, viewer_is_member=True),
    )
    return render(request, "portal/home.html", context)


def _own_request(request, form_class, template: str, call, success: str, **initial):
    """One of the member's own requests: the form, one service, back to "我的"."""
    member = selectors.own_member(request.user)
    if member is None:
        return _no_member(request)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            call(member, form)
        except ApplicationError as exc:
            apply_error(form, exc)
        except PermissionDenied:
            form.add_error(None, _("您不能办理这项业务，请联系所在党组织。"))
        else:
            selectors.forget_own_member(request.user)
            messages.success(request, success)
            return redirect("portal:home")
    return render(request, template, {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request):
    from tongchou.transfers.services import transfer_request

    def call(member, form):
        transfer_request(actor=request.user, member=member, **form.service_kwargs())

    return _own_request(
        request,
        TransferRequestForm,
        "portal/transfer.html",
        call,
        _("转接申请已提交，请等待所在党组织审批。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def going_out(request):
    from tongchou.mobility.services import outflow_register

    def call(member, form):
        outflow_register(actor=request.user, member=member, **form.cleaned_data)

    return _own_request(
        request,
        GoingOutForm,
        "portal/going_out.html",
        call,
        _("外出登记已提交，所在党组织会与您保持联系。"),
        since=timezone.localdate(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def arrived(request):
    from tongchou.mobility.services import inflow_register

    def call(member, form):
        inflow_register(
            actor=request.user,
            id_number=member.id_number,
            name=member.name,
            **form.cleaned_data,
        )

    return _own_request(
        request,
        ArrivedForm,
        "portal/arrived.html",
        call,
        _("到达登记已提交，流入地党组织或服务站会与您联系。"),
        since=timezone.localdate(),
    )
