"""Resource pages: the list and its search, a resource with its week, booking (single or
recurring), a booking with its decisions, the flow report and the iCalendar feeds.

Thin views: a form, one scoped selector, one service, render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core.errors import ApplicationError
from tongchou.core.forms import apply_error, query_without
from tongchou.core.images import PHOTO_ACCEPT
from tongchou.core.validators import parse_id
from tongchou.organizations.models import Organization
from tongchou.organizations.permissions import Action, can, scope_for
from tongchou.organizations.selectors import organization_get_for, organization_picker_choices
from tongchou.regions.flows import FlowDirection
from tongchou.regions.models import Region
from tongchou.resources import feeds, flows, permissions, selectors, services
from tongchou.resources.forms import (
    BookingForm,
    FlowForm,
    ReasonForm,
    ResourceForm,
    SearchForm,
)
from tongchou.resources.models import BookingState

PAGE_SIZE = 50
SEARCH_SHOWN = 100


def _require_any(user) -> None:
    if not permissions.can_use_resources(user):
        raise PermissionDenied


def region_choices() -> list[tuple[str, str]]:
    """Counties and streets/towns to search in (codes are prefixes of everything below)."""
    rows = (
        Region.objects.filter(level__in=[3, 4])
        .order_by("code")
        .values_list("code", "name", "level")[:400]
    )
    return [(code, ("\u3000" if level == 4 else "") + name) for code, name, level in rows]


# --- the list and its search -----------------------------------------------------------------


@login_required
@require_GET
def resource_list(request):
    user = request.user
    _require_any(user)
    form = SearchForm(request.GET or None, regions=region_choices())
    rows = selectors.resource_list_for(user).select_related("owner", "region")
    timed = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        rows = selectors.search_free(
            user,
            kind=data["kind"],
            topic=(data["topic"] or "").replace("\x00", ""),
            region=data["region"],
            capacity=data["capacity"],
            start=data.get("starts_at"),
            end=data.get("ends_at"),
        ).select_related("owner", "region")
        timed = "starts_at" in data
    elif form.is_bound:
        rows = rows.none()
    rows = rows.order_by("name", "id")
    if timed:
        start, end = form.cleaned_data["starts_at"], form.cleaned_data["ends_at"]
        shown = [r for r in rows[: SEARCH_SHOWN * 3] if selectors.fits_opening(r, start, end)]
        page = Paginator(shown[:SEARCH_SHOWN], SEARCH_SHOWN).get_page(1)
        book_query = urlencode(
            {
                "day": form.cleaned_data["day"].isoformat(),
                "start": start.astimezone(timezone.get_current_timezone()).strftime("%H:%M"),
                "end": end.astimezone(timezone.get_current_timezone()).strftime("%H:%M"),
                "people": form.cleaned_data.get("capacity") or "",
            }
        )
    else:
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        book_query = ""
    return render(
        request,
        "resources/resource_list.html",
        {
            "form": form,
            "page": page,
            "timed": timed,
            "book_query": book_query,
            "query_without_page": query_without(request, "page"),
            "can_keep": permissions.can_keep_resources(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request):
    user = request.user
    if not permissions.can_keep_resources(user):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(actor=user, **form.service_kwargs())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加资源 %(n)s。") % {"n": resource.name})
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/resource_form.html", {"form": form, "resource": None})


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk):
    user = request.user
    resource = selectors.resource_get_for(user, pk)
    if not permissions.can_manage_resource(user, resource):
        raise PermissionDenied
    form = ResourceForm(
        request.POST or None,
        user=user,
        resource=resource,
        initial=ResourceForm.initial_for(resource),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(actor=user, resource=resource, **form.service_kwargs())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("resources:detail", pk=resource.pk)
    return render(request, "resources/resource_form.html", {"form": form, "resource": resource})


def _week_day(request) -> dt.date:
    raw = request.GET.get("week", "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate()


@login_required
@require_GET
def resource_detail(request, pk):
    return _detail_page(request, selectors.resource_get_for(request.user, pk))


def _detail_page(request, resource, *, photo_error: str = "", status: int = 200):
    user = request.user
    day = _week_day(request)
    week = selectors.week_for(user, resource, day)
    manages = permissions.can_manage_resource(user, resource)
    return render(
        request,
        "resources/resource_detail.html",
        {
            "resource": resource,
            "week": week,
            "previous_week": (week["start"] - dt.timedelta(days=7)).isoformat(),
            "next_week": (week["start"] + dt.timedelta(days=7)).isoformat(),
            "can_manage": manages,
            "photos": list(resource.photos.all()),
            "photo_accept": PHOTO_ACCEPT,
            "photo_error": photo_error,
            "can_book": permissions.can_keep_resources(user),
            "feed_url": request.build_absolute_uri(
                reverse("resources:resource_feed", args=[resource.feed_token])
            )
            if manages
            else "",
        },
        status=status,
    )


@login_required
@require_POST
def photo_add(request, pk):
    resource = selectors.resource_get_for(request.user, pk)
    if not permissions.can_manage_resource(request.user, resource):
        raise PermissionDenied
    try:
        services.resource_photo_add(
            actor=request.user,
            resource=resource,
            upload=request.FILES.get("photo"),
            caption=request.POST.get("caption", ""),
        )
    except ApplicationError as exc:
        # The page again, with the reason beside the upload field (nothing else was typed).
        return _detail_page(request, resource, photo_error=exc.message, status=400)
    messages.success(request, _("已添加照片。"))
    return redirect("resources:detail", pk=resource.pk)


@login_required
@require_GET
def photo(request, pk, photo_pk):
    found = selectors.photo_get_for(request.user, pk, photo_pk)
    try:
        handle = found.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def photo_remove(request, pk, photo_pk):
    found = selectors.photo_get_for(request.user, pk, photo_pk)
    services.resource_photo_remove(actor=request.user, photo=found)
    messages.success(request, _("已删除照片。"))
    return redirect("resources:detail", pk=found.resource.pk)


# --- booking ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def booking_create(request, pk):
    """One booking, or a recurring series: first the check (which occurrences conflict), then
    the person chooses to book the free ones or none."""
    user = request.user
    resource = selectors.resource_get_for(user, pk)
    if not permissions.can_keep_resources(user):
        raise PermissionDenied
    initial = {k: request.GET[k] for k in ("day", "start", "end", "people") if request.GET.get(k)}
    form = BookingForm(request.POST or None, user=user, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": user,
            "resource": resource,
            "organization": data["organization"],
            "purpose": data["purpose"],
            "people": data["people"],
        }
        mode = request.POST.get("mode", "")
        try:
            if not data["repeat"]:
                booking = services.booking_request(
                    starts_at=data["starts_at"], ends_at=data["ends_at"], **common
                )
                if booking.state == BookingState.CONFIRMED:
                    messages.success(request, _("预约成功，已确认。"))
                else:
                    messages.success(request, _("已提交预约申请，等待资源方确认。"))
                return redirect("resources:booking_detail", pk=booking.pk)
            slots = services.occurrences(
                data["starts_at"], data["ends_at"], repeat=data["repeat"], count=data["count"]
            )
            if mode not in ("free", "all"):
                made, skipped = services.booking_series(slots=slots, mode="check", **common)
                preview = {"free": made, "skipped": skipped}
            else:
                made, skipped = services.booking_series(slots=slots, mode=mode, **common)
                text = _("周期预约：已预约%(n)d次。") % {"n": len(made)}
                if skipped:
                    text += " " + _("未预约%(m)d次：%(list)s") % {
                        "m": len(skipped),
                        "list": "；".join(
                            f"{timezone.localtime(s):%Y-%m-%d %H:%M} {e.message}"
                            for s, _e, e in skipped
                        ),
                    }
                    messages.warning(request, text)
                else:
                    messages.success(request, text)
                return redirect(f"{reverse('resources:bookings')}?series={made[0].series}")
        except ApplicationError as exc:
            apply_error(form, exc)
    return render(
        request,
        "resources/booking_form.html",
        {"form": form, "resource": resource, "preview": preview},
    )


@login_required
@require_GET
def booking_list(request):
    user = request.user
    _require_any(user)
    rows = selectors.booking_list_for(user).select_related("resource", "organization")
    state = request.GET.get("state", "")
    if state in BookingState.values:
        rows = rows.filter(state=state)
    series = request.GET.get("series", "")
    if series:
        rows = rows.filter(series=series[:32])
    if request.GET.get("awaiting"):
        rows = selectors.bookings_awaiting(user).select_related("resource", "organization")
    rows = rows.order_by("-starts_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    from tongchou.members.selectors import role_organization_for

    org = role_organization_for(user, permissions.MANAGE)
    feed_url = ""
    if org is not None:
        feed = selectors.organization_feed_for(org)
        feed_url = request.build_absolute_uri(
            reverse("resources:organization_feed", args=[feed.token])
        )
    return render(
        request,
        "resources/booking_list.html",
        {
            "page": page,
            "state": state,
            "states": BookingState.choices,
            "query_without_page": query_without(request, "page"),
            "feed_url": feed_url,
            "feed_org": org,
        },
    )


@login_required
@require_GET
def booking_detail(request, pk):
    user = request.user
    booking = selectors.booking_get_for(user, pk)
    holds = booking.state in (BookingState.REQUESTED, BookingState.CONFIRMED)
    books = can(user, permissions.MANAGE, booking.org_path)
    return render(
        request,
        "resources/booking_detail.html",
        {
            "booking": booking,
            "can_decide": booking.state == BookingState.REQUESTED
            and permissions.can_decide(user, booking),
            "can_cancel": holds and permissions.can_cancel(user, booking),
            "can_record": holds and books,
            "reason_form": ReasonForm(),
        },
    )


def _decide(request, pk, call, success: str):
    user = request.user
    booking = selectors.booking_get_for(user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        call(user, booking, (form.cleaned_data or {}).get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("resources:booking_detail", pk=booking.pk)


@login_required
@require_POST
def booking_confirm(request, pk):
    return _decide(
        request,
        pk,
        lambda user, b, _reason: services.booking_confirm(actor=user, booking=b),
        _("已确认预约。"),
    )


@login_required
@require_POST
def booking_decline(request, pk):
    return _decide(
        request,
        pk,
        lambda user, b, reason: services.booking_decline(actor=user, booking=b, reason=reason),
        _("已拒绝预约。"),
    )


@login_required
@require_POST
def booking_cancel(request, pk):
    return _decide(
        request,
        pk,
        lambda user, b, reason: services.booking_cancel(actor=user, booking=b, reason=reason),
        _("已取消预约。"),
    )


# --- flows -----------------------------------------------------------------------------------


def _flow_query(request):
    user = request.user
    _require_any(user)
    form = FlowForm(
        request.GET or None,
        orgs=organization_picker_choices(
            user, selected=request.GET.get("org"), action=Action.VIEW_ORGS
        ),
    )
    year = timezone.localdate().year
    org = None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"] or year
        if form.cleaned_data["org"]:
            org = organization_get_for(user, form.cleaned_data["org"])
    scope = scope_for(user, Action.VIEW_ORGS)
    if form.is_bound and not form.is_valid():
        return form, None, None, year
    if org is not None:
        path = org.path
    elif scope.everything:
        path = ""
    elif len(scope.paths) == 1:
        path = scope.paths[0]
        org = Organization.objects.filter(path=path).first()
    else:
        path = None  # several scopes: pick one
    return form, org, path, year


@login_required
@require_GET
def flow_report(request):
    form, org, path, year = _flow_query(request)
    report = flows.report(flows.year_query(path, year)) if path is not None else None
    return render(
        request,
        "resources/flow_report.html",
        {"form": form, "org": org, "year": year, "report": report},
    )


@login_required
@require_GET
def flow_rows(request):
    form, org, path, year = _flow_query(request)
    if path is None:
        raise Http404
    month = None
    raw_month = parse_id(request.GET.get("month"))
    if raw_month and 1 <= raw_month <= 12:
        month = dt.date(year, raw_month, 1)
    direction = request.GET.get("direction", "")
    direction = direction if direction in FlowDirection.values else None
    kind = request.GET.get("kind", "")[:32] or None
    rows = flows.drill(
        flows.year_query(path, year),
        month=month,
        kind=kind,
        direction=direction,
        viewer=request.user,
    )
    return render(
        request,
        "resources/flow_rows.html",
        {
            "form": form,
            "org": org,
            "year": year,
            "rows": rows,
            "month": month,
            "direction": dict(FlowDirection.choices).get(direction, ""),
            "directions": dict(FlowDirection.choices),
        },
    )


# --- iCalendar feeds (behind an unguessable token, no sign-in) --------------------------------


def _ics(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def resource_feed(request, token):
    resource = feeds.resource_by_token(token)
    return _ics(feeds.resource_calendar(resource), f"resource-{resource.pk}")


@require_GET
def organization_feed(request, token):
    organization = feeds.organization_by_token(token)
    return _ics(feeds.organization_calendar(organization), f"organization-{organization.pk}")
