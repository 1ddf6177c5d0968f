"""Pages of needs, the service alliance and household contacts; and the resident's public
pages (submit, follow by tracking code, confirm or reopen, resolved needs and street figures),
which need no account and never show a name, a phone or an exact address."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core import ratelimit
from tongchou.core.auth import client_ip
from tongchou.core.errors import ApplicationError
from tongchou.core.forms import apply_error, query_without
from tongchou.organizations.models import Organization, OrgStatus
from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.regions.models import RegionLevel
from tongchou.service import forms, selectors, services
from tongchou.service.models import (
    OPEN_STATES,
    AllianceUnit,
    Intake,
    NeedCategory,
    NeedState,
)
from tongchou.service.permissions import (
    can_file_at_proxy,
    can_intake,
    can_manage_place,
    can_manage_proxy,
    can_use_needs,
    can_work,
    staffed_proxy_ids,
    staffed_station_ids,
)

PAGE_SIZE = 50


def _tabs(user) -> dict:
    """Which tabs this person may open (a tab never leads to a 403)."""
    return {
        "show_households": can(user, Action.VIEW_MEMBERS)
        or selectors.household_list_for(user).exists()
    }


def _places():
    """Villages and communities (organizations seated in a village-level division)."""
    return Organization.objects.filter(
        status=OrgStatus.ACTIVE, region__level=RegionLevel.VILLAGE
    ).order_by("name")


def _staff_places(user):
    if staffed_station_ids(user):
        return _places()
    return _places().filter(scope_for(user, Action.MANAGE_MEMBERS).q("path"))


# --- needs (signed in) -----------------------------------------------------------------------


@login_required
@require_GET
def need_list(request):
    user = request.user
    if not can_use_needs(user):
        raise PermissionDenied
    needs = selectors.need_list_for(user).select_related("category", "organization", "unit")
    state = request.GET.get("state", "")
    if state in NeedState.values:
        needs = needs.filter(state=state)
    category = request.GET.get("category", "")
    if category:
        needs = needs.filter(category__code=category)
    today = timezone.localdate()
    if request.GET.get("overdue"):
        needs = needs.filter(selectors.overdue_q(today))
    page = Paginator(needs.order_by("-submitted_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "service/need_list.html",
        {
            "page": page,
            "query_without_page": query_without(request, "page"),
            "states": NeedState.choices,
            "categories": NeedCategory.objects.filter(active=True),
            "state": state,
            "category": category,
            "overdue": bool(request.GET.get("overdue")),
            "today": today,
            "can_intake": can_intake(user),
            **_tabs(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request):
    user = request.user
    if not can_intake(user):
        raise PermissionDenied
    form = forms.NeedForm(request.POST or None, organizations=_staff_places(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        stations = sorted(staffed_station_ids(user))
        intake, station = Intake.STAFF, None
        if not can(user, Action.MANAGE_MEMBERS, data["organization"].path) and stations:
            from tongchou.mobility.models import ServiceStation

            intake, station = Intake.STATION, ServiceStation.objects.get(pk=stations[0])
        try:
            need = services.need_submit(actor=user, intake=intake, station=station, **data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记，查询码 %(code)s。") % {"code": need.tracking_code})
            return redirect("service:need_detail", pk=need.pk)
    return render(request, "service/need_form.html", {"form": form})


@login_required
@require_GET
def need_detail(request, pk):
    user = request.user
    need = selectors.need_get_for(user, pk)
    can_manage = can_manage_place(user, need)
    reassign_form = show_all_units = None
    if can_manage and need.state in OPEN_STATES:
        # Only those who may reassign get the form; its choices are the units that serve the
        # need's category and place or sit in the reader's scope, unless they ask for all.
        show_all_units = request.GET.get("units") == "all"
        units = selectors.reassign_units(user, need, show_all=show_all_units)
        reassign_form = forms.ReassignForm(units=units)
    return render(
        request,
        "service/need_detail.html",
        {
            "need": need,
            "history": selectors.history_of(need),
            "overdue": services.is_overdue(need, timezone.localdate()),
            "can_work": can_work(user, need) and need.state in OPEN_STATES,
            "can_manage": can_manage,
            "is_open": need.state in OPEN_STATES,
            "resolve_form": forms.ResolveForm(),
            "reassign_form": reassign_form,
            "show_all_units": show_all_units,
            "merge_form": forms.MergeForm(),
            "may_reveal": can(user, Action.REVEAL, need.org_path),
        },
    )


@login_required
@require_POST
def need_action(request, pk):
    """One step on a need: accept, start, resolve, reassign, merge, close."""
    user = request.user
    need = selectors.need_get_for(user, pk)
    step = request.POST.get("step", "")
    try:
        if step == "accept":
            services.need_accept(actor=user, need=need)
        elif step == "start":
            services.need_start(actor=user, need=need)
        elif step == "resolve":
            services.need_resolve(
                actor=user, need=need, resolution=request.POST.get("resolution", "")
            )
        elif step == "reassign":
            unit = AllianceUnit.objects.filter(pk=_int(request.POST.get("unit"))).first()
            services.need_reassign(
                actor=user, need=need, unit=unit, reason=request.POST.get("reason", "")
            )
        elif step == "merge":
            into = selectors.need_get_for(user, request.POST.get("into"))
            services.need_merge(actor=user, duplicate=need, into=into)
            return redirect("service:need_detail", pk=into.pk)
        elif step == "close":
            services.need_close(actor=user, need=need)
        else:
            raise ApplicationError("invalid", _("未知的操作。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("service:need_detail", pk=need.pk)
    messages.success(request, _("已保存。"))
    return redirect("service:need_detail", pk=need.pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the alliance ------------------------------------------------------------------------------


@login_required
@require_GET
def unit_list(request):
    user = request.user
    if not can_use_needs(user):
        raise PermissionDenied
    units = selectors.unit_list_for(user).prefetch_related("categories")
    return render(request, "service/unit_list.html", {"units": units, **_tabs(user)})


@login_required
@require_GET
def unit_detail(request, pk):
    user = request.user
    unit = selectors.unit_get_for(user, pk)
    return render(
        request,
        "service/unit_detail.html",
        {
            "unit": unit,
            "figures": selectors.unit_figures(unit, today=timezone.localdate()),
            "rules": unit.rules.select_related("category", "region", "unit"),
            "regions": unit.regions.all(),
            "categories": unit.categories.all(),
        },
    )


# --- households ------------------------------------------------------------------------------


@login_required
@require_GET
def household_list(request):
    user = request.user
    if not can(user, Action.VIEW_MEMBERS) and not selectors.household_list_for(user).exists():
        raise PermissionDenied
    months = _int(request.GET.get("months"))
    today = timezone.localdate()
    if months and 0 < months < 120:
        rows = selectors.not_visited(user, months=months, today=today)
    else:
        months, rows = None, selectors.household_list_for(user).order_by("org_path", "id")
    page = Paginator(rows.select_related("organization", "contact"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "service/household_list.html",
        {
            "page": page,
            "months": months,
            "query_without_page": query_without(request, "page"),
            "show_households": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_detail(request, pk):
    user = request.user
    household = selectors.household_list_for(user).filter(pk=_int(pk) or 0).first()
    if household is None:
        raise Http404
    can_assign = can(user, Action.MANAGE_MEMBERS, household.org_path)
    if request.method == "POST" and request.POST.get("step") == "assign" and can_assign:
        from tongchou.members.models import Member

        member = Member.objects.filter(
            pk=_int(request.POST.get("member")) or 0, organization_id=household.organization_id
        ).first()
        try:
            if member is None:
                raise ApplicationError("invalid", _("联系党员应是本村（社区）的党员。"))
            services.household_assign(
                actor=user, household=household, member=member, reason=_("书记指定")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存。"))
        return redirect("service:household_detail", pk=household.pk)
    form = forms.VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        raised = []
        if data["need_category"] and data["need_summary"]:
            raised.append({"category": data["need_category"], "summary": data["need_summary"]})
        from tongchou.portal.selectors import own_member

        try:
            services.visit_record(
                actor=user,
                household=household,
                member=own_member(user) or household.contact,
                visited_on=data["visited_on"],
                way=data["way"],
                notes=data["notes"],
                needs=raised,
                photos=data["photos"],
                photos_agreed=data["photos_agreed"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已记录走访。"))
            return redirect("service:household_detail", pk=household.pk)
    return render(
        request,
        "service/household_detail.html",
        {
            "household": household,
            "people": household.people.all(),
            "visits": household.visits.select_related("member").prefetch_related("photos")[:20],
            "form": form,
            "suggestions": (
                services.contact_suggestions(household, limit=200) if can_assign else []
            ),
        },
    )


@login_required
@require_GET
def visit_photo(request, pk, photo_pk):
    """A visit's photo, for who may read the visit (404 otherwise, like a missing one)."""
    visit = selectors.visit_get_for(request.user, pk)
    photo = visit.photos.filter(pk=_int(photo_pk) or 0).first()
    if photo is None:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the resident's public pages ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_submit(request):
    form = forms.PublicNeedForm(request.POST or None, organizations=_places())
    if request.method == "POST" and form.is_valid():
        verdict = ratelimit.hit(
            "service-submit", client_ip(request), limit=settings.SERVICE_SUBMIT_PER_HOUR
        )
        if not verdict.allowed:
            # Nothing is written, and the form comes back with what the resident typed.
            form.add_error(None, _too_many_submissions())
            response = render(request, "service/public_submit.html", {"form": form}, status=429)
            response["Retry-After"] = str(verdict.retry_after)
            return response
        try:
            need = services.need_submit(actor=None, intake=Intake.PUBLIC, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return render(request, "service/public_submitted.html", {"need": need})
    return render(request, "service/public_submit.html", {"form": form})


def _too_many_submissions() -> str:
    return _(
        "提交过于频繁：同一网络每小时最多提交%(n)s条诉求。您填写的内容已保留在下方，"
        "请一小时后再提交，或拨打村（社区）服务电话。"
    ) % {"n": settings.SERVICE_SUBMIT_PER_HOUR}


@require_GET
def track(request):
    form = forms.TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("service:track_detail", code=form.cleaned_data["code"].strip().upper())
    return render(request, "service/track.html", {"form": form})


@require_http_methods(["GET", "POST"])
def track_detail(request, code):
    need = selectors.need_by_code(code)
    confirm, reopen = forms.ConfirmForm(), forms.ReopenForm()
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "confirm":
                confirm = forms.ConfirmForm(request.POST)
                if confirm.is_valid():
                    services.need_confirm(tracking_code=need.tracking_code, **confirm.cleaned_data)
                    return redirect("service:track_detail", code=need.tracking_code)
            elif step == "reopen":
                reopen = forms.ReopenForm(request.POST)
                if reopen.is_valid():
                    services.need_reopen(tracking_code=need.tracking_code, **reopen.cleaned_data)
                    return redirect("service:track_detail", code=need.tracking_code)
            else:
                raise ApplicationError("invalid", _("未知的操作。"))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("service:track_detail", code=need.tracking_code)
    return render(
        request,
        "service/track_detail.html",
        {
            "need": need,
            "history": [e for e in selectors.history_of(need) if e.need_id == need.pk],
            "confirm_form": confirm,
            "reopen_form": reopen,
            "resolved": need.state == NeedState.RESOLVED,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def public_board(request):
    return render(
        request,
        "service/public_board.html",
        {
            "needs": selectors.public_resolved(),
            "figures": selectors.street_figures(today=timezone.localdate()),
        },
    )


# --- city-service proxy stations (城市服务代办站) ------------------------------------------------


def _proxy_villages(user):
    """Villages where the user may run a proxy station: rural village-level organizations in
    their ``MANAGE_MEMBERS`` scope."""
    from tongchou.regions.models import UrbanRural

    return (
        _places()
        .exclude(urban_rural=UrbanRural.URBAN)
        .filter(scope_for(user, Action.MANAGE_MEMBERS).q("path"))
    )


PROXY_STATION_FIELDS = (
    "name",
    "organization",
    "address",
    "opening_hours",
    "phone",
    "services",
    "staff",
    "active",
)


def _proxy_fields(data: dict) -> dict:
    return {key: data[key] for key in PROXY_STATION_FIELDS}


@login_required
@require_GET
def proxy_station_list(request):
    user = request.user
    if not (can(user, Action.VIEW_MEMBERS) or staffed_proxy_ids(user)):
        raise PermissionDenied
    stations = selectors.proxy_station_list_for(user).select_related("organization")
    page = Paginator(stations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "service/proxy_station_list.html",
        {
            "page": page,
            "query_without_page": query_without(request, "page"),
            "can_add": can(user, Action.MANAGE_MEMBERS),
            **_tabs(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proxy_station_create(request):
    user = request.user
    if not can(user, Action.MANAGE_MEMBERS):
        raise PermissionDenied
    form = forms.ProxyStationForm(request.POST or None, villages=_proxy_villages(user))
    if request.method == "POST" and form.is_valid():
        try:
            station = services.proxy_station_create(actor=user, **_proxy_fields(form.cleaned_data))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加代办站：%(name)s。") % {"name": station.name})
            return redirect("service:proxy_station_detail", pk=station.pk)
    return render(request, "service/proxy_station_form.html", {"form": form, "station": None})


@login_required
@require_http_methods(["GET", "POST"])
def proxy_station_edit(request, pk):
    user = request.user
    station = selectors.proxy_station_get_for(user, pk)
    if not can_manage_proxy(user, station):
        raise PermissionDenied
    form = forms.ProxyStationForm(
        request.POST or None, villages=_proxy_villages(user), station=station
    )
    if request.method == "POST" and form.is_valid():
        try:
            station = services.proxy_station_update(
                actor=user, station=station, **_proxy_fields(form.cleaned_data)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存代办站：%(name)s。") % {"name": station.name})
            return redirect("service:proxy_station_detail", pk=station.pk)
    return render(request, "service/proxy_station_form.html", {"form": form, "station": station})


@login_required
@require_GET
def proxy_station_detail(request, pk):
    """The station's page: its needs by state, what is waiting for its staff, and its needs
    (filtered by state)."""
    user = request.user
    station = selectors.proxy_station_get_for(user, pk)
    today = timezone.localdate()
    counts = selectors.proxy_station_counts(user, station)
    needs = selectors.proxy_station_needs(user, station).select_related(
        "category", "organization", "unit"
    )
    state = request.GET.get("state", "")
    if state in NeedState.values:
        needs = needs.filter(state=state)
    page = Paginator(needs.order_by("-submitted_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "service/proxy_station_detail.html",
        {
            "station": station,
            "states": [(value, label, counts.get(value, 0)) for value, label in NeedState.choices],
            "total": sum(counts.values()),
            "state": state,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "waiting": selectors.proxy_station_waiting(user, station, today=today),
            "today": today,
            "can_file": station.active and can_file_at_proxy(user, station),
            "can_manage": can_manage_proxy(user, station),
            "weekdays": opening_rows(station.opening_hours),
        },
    )


def opening_rows(hours) -> list[tuple]:
    """(weekday name, hours or None) Monday first; Django's own translated weekday names."""
    from django.utils.dates import WEEKDAYS

    return [(WEEKDAYS[i], entry) for i, entry in enumerate(hours or [])]


@login_required
@require_http_methods(["GET", "POST"])
def proxy_need_create(request, pk):
    """File a city service for a resident at this station; the resident gets the tracking
    code (shown to print or copy)."""
    user = request.user
    station = selectors.proxy_station_get_for(user, pk)
    if not can_file_at_proxy(user, station):
        raise PermissionDenied
    form = forms.ProxyNeedForm(request.POST or None, station=station, organizations=_places())
    if request.method == "POST" and form.is_valid():
        try:
            need = services.proxy_need_file(actor=user, station=station, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return render(
                request, "service/proxy_need_filed.html", {"need": need, "station": station}
            )
    return render(request, "service/proxy_need_form.html", {"form": form, "station": station})
