"""Linkage pages: lots, orders, the season board and plan of a chain, shipments to confirm and
their outcome, the season report, producers, buyers and 消费帮扶 reservations, rural produce
outlets with their monthly sales (one at a time, or a spreadsheet: upload → preview → confirm).

Thin views: a form, one scoped selector, one service, render. A role that sees members somewhere
opens the pages; every object is fetched through the scope (out of scope is a 404)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongchou.core import spreadsheets
from tongchou.core.errors import ApplicationError
from tongchou.core.forms import apply_error, query_without
from tongchou.linkage import importing, selectors, services
from tongchou.linkage.filters import LotFilter, OrderFilter, ShipmentFilter
from tongchou.linkage.forms import (
    BuyerForm,
    LotForm,
    OrderForm,
    OutcomeForm,
    OutletForm,
    OutletSaleForm,
    OutletSaleImportForm,
    PlanForm,
    ProducerForm,
    ReservationForm,
)
from tongchou.linkage.models import ShipmentState

PAGE_SIZE = 50


def reason_label(code: str) -> str:
    labels = {
        "no_order_in_window": _("保鲜期内无订单"),
        "buyers_too_far": _("采购单位都太远"),
        "price_too_high": _("价格高于订单上限"),
        "demand_met": _("需求已由更近的批次满足"),
    }
    return labels.get(code, code)


def _require_any(user) -> None:
    if not selectors.can_use_linkage(user):
        raise PermissionDenied


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _listing(request, filterset, template: str, **context):
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            **context,
        },
    )


@login_required
@require_GET
def index(request):
    user = request.user
    _require_any(user)
    waiting = (
        selectors.shipment_list_for(user)
        .filter(state=ShipmentState.PROPOSED)
        .select_related("lot__product", "lot__producer", "order__buyer")
        .order_by("ship_on", "id")
    )
    return render(
        request,
        "linkage/index.html",
        {
            "chains": selectors.chain_list_for(user)[:50],
            "waiting": waiting[:20],
            "year": timezone.localdate().year,
        },
    )


# --- lots ------------------------------------------------------------------------------------


@login_required
@require_GET
def lot_list(request):
    user = request.user
    _require_any(user)
    lots = selectors.lot_list_for(user).select_related("product", "producer", "chain")
    filterset = LotFilter(
        request.GET, queryset=lots.order_by("-harvest_on", "-id"), request=request
    )
    return _listing(request, filterset, "linkage/lot_list.html")


@login_required
@require_http_methods(["GET", "POST"])
def lot_create(request):
    user = request.user
    _require_any(user)
    form = LotForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.lot_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已挂牌：%(lot)s。") % {"lot": lot})
            return redirect("linkage:lots")
    return render(request, "linkage/lot_form.html", {"form": form})


# --- orders ----------------------------------------------------------------------------------


@login_required
@require_GET
def order_list(request):
    user = request.user
    _require_any(user)
    orders = selectors.order_list_for(user).select_related("product", "buyer", "chain")
    filterset = OrderFilter(
        request.GET, queryset=orders.order_by("-deliver_on", "-id"), request=request
    )
    return _listing(request, filterset, "linkage/order_list.html")


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request):
    user = request.user
    _require_any(user)
    form = OrderForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已发布订单：%(order)s。") % {"order": order})
            return redirect("linkage:orders")
    return render(request, "linkage/order_form.html", {"form": form})


# --- the chain: season board, plans, report --------------------------------------------------


@login_required
@require_GET
def board(request, pk):
    user = request.user
    today = timezone.localdate()
    year = _year(request)
    data = selectors.season_board_for(user, pk, year=year, today=today)
    chain = selectors.chain_get_for(user, pk)
    plans = selectors.plan_list_for(user).filter(chain=chain)[:10]
    return render(
        request,
        "linkage/board.html",
        {
            "chain": chain,
            "board": data,
            "board_json": json.dumps(data, ensure_ascii=False),
            "plans": plans,
            "plan_form": PlanForm(initial={"start": today}),
            "can_plan": services.can_plan(user, chain),
            "year": year,
        },
    )


@login_required
@require_POST
def plan_create(request, pk):
    user = request.user
    chain = selectors.chain_get_for(user, pk)
    if not services.can_plan(user, chain):
        raise PermissionDenied
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = services.plan_create(actor=user, chain=chain, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已生成对接方案。"))
            return redirect("linkage:plan_detail", pk=plan.pk)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}：{errors[0]}")
    return redirect("linkage:board", pk=chain.pk)


@login_required
@require_GET
def plan_detail(request, pk):
    user = request.user
    plan = selectors.plan_get_for(user, pk)
    shipments = plan.shipments.select_related(
        "lot__product", "lot__producer", "order__buyer"
    ).order_by("ship_on", "id")
    lots = {
        lot.pk: lot
        for lot in selectors.lot_list_for(user)
        .filter(pk__in=[u["lot"] for u in plan.unshipped])
        .select_related("product", "producer")
    }
    unshipped = [
        {"lot": lots.get(u["lot"]), "kg": u["kg"], "reason": reason_label(u["reason"])}
        for u in plan.unshipped
    ]
    return render(
        request,
        "linkage/plan_detail.html",
        {"plan": plan, "shipments": shipments, "unshipped": unshipped},
    )


@login_required
@require_GET
def report(request, pk):
    user = request.user
    year = _year(request)
    data = selectors.season_report_for(user, pk, year=year)
    return render(
        request, "linkage/report.html", {"report": data, "total_rows": [data.total], "year": year}
    )


# --- shipments -------------------------------------------------------------------------------


@login_required
@require_GET
def shipment_list(request):
    user = request.user
    _require_any(user)
    rows = selectors.shipment_list_for(user).select_related(
        "lot__product", "lot__producer", "order__buyer"
    )
    filterset = ShipmentFilter(
        request.GET, queryset=rows.order_by("-ship_on", "-id"), request=request
    )
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {
            "shipment": s,
            "producer_side": services.can_supply(
                user, village_path=s.village_path, chain_path=s.chain_path
            ),
            "buyer_side": services.can_buy(user, s.buyer_path),
            "coordinator": services.can(user, services.Action.MANAGE_MEMBERS, s.chain_path),
        }
        for s in page.object_list
    ]
    return render(
        request,
        "linkage/shipment_list.html",
        {
            "filter": filterset,
            "page": page,
            "items": items,
            "query_without_page": query_without(request, "page"),
        },
    )


@login_required
@require_POST
def shipment_confirm(request, pk):
    user = request.user
    shipment = selectors.shipment_get_for(user, pk)
    side = request.POST.get("side", "")
    try:
        services.shipment_confirm(actor=user, shipment=shipment, side=side)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认发运。"))
    return redirect(_next(request, "linkage:shipments"))


@login_required
@require_POST
def shipment_outcome(request, pk):
    user = request.user
    shipment = selectors.shipment_get_for(user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.shipment_record_outcome(actor=user, shipment=shipment, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记结果。"))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}：{errors[0]}")
    return redirect(_next(request, "linkage:shipments"))


def _next(request, default: str) -> str:
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- producers, buyers, reservations ---------------------------------------------------------
# Added and edited through the services, with the API's rules: a producer by its village or its
# chain, a buyer unit and its reservations by the buyer's organization. Out of scope is a 404; a
# visible row the user may not change is a 403.


@login_required
@require_GET
def producer_list(request):
    user = request.user
    _require_any(user)
    rows = selectors.producer_list_for(user).select_related("village", "chain")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {
            "producer": p,
            "editable": services.can_supply(
                user, village_path=p.village_path, chain_path=p.chain_path
            ),
        }
        for p in page.object_list
    ]
    return render(
        request,
        "linkage/producer_list.html",
        {"page": page, "items": items, "query_without_page": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def producer_create(request):
    user = request.user
    _require_any(user)
    form = ProducerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            producer = services.producer_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加生产主体：%(name)s。") % {"name": producer.name})
            return redirect("linkage:producers")
    return render(request, "linkage/producer_form.html", {"form": form, "producer": None})


@login_required
@require_http_methods(["GET", "POST"])
def producer_edit(request, pk):
    user = request.user
    producer = selectors.producer_get_for(user, pk)
    if not services.can_supply(
        user, village_path=producer.village_path, chain_path=producer.chain_path
    ):
        raise PermissionDenied
    form = ProducerForm(request.POST or None, user=user, producer=producer)
    if request.method == "POST" and form.is_valid():
        try:
            producer = services.producer_update(actor=user, producer=producer, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存生产主体：%(name)s。") % {"name": producer.name})
            return redirect("linkage:producers")
    return render(request, "linkage/producer_form.html", {"form": form, "producer": producer})


@login_required
@require_GET
def buyer_list(request):
    user = request.user
    _require_any(user)
    rows = selectors.buyer_list_for(user).select_related("organization")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"buyer": b, "editable": services.can_buy(user, b.org_path)} for b in page]
    return render(
        request,
        "linkage/buyer_list.html",
        {"page": page, "items": items, "query_without_page": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def buyer_create(request):
    user = request.user
    _require_any(user)
    form = BuyerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            buyer = services.buyer_create(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加采购单位：%(name)s。") % {"name": buyer.name})
            return redirect("linkage:buyers")
    return render(request, "linkage/buyer_form.html", {"form": form, "buyer": None})


@login_required
@require_http_methods(["GET", "POST"])
def buyer_edit(request, pk):
    user = request.user
    buyer = selectors.buyer_get_for(user, pk)
    if not services.can_buy(user, buyer.org_path):
        raise PermissionDenied
    form = BuyerForm(request.POST or None, user=user, buyer=buyer)
    if request.method == "POST" and form.is_valid():
        try:
            buyer = services.buyer_update(actor=user, buyer=buyer, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存采购单位：%(name)s。") % {"name": buyer.name})
            return redirect("linkage:buyers")
    return render(request, "linkage/buyer_form.html", {"form": form, "buyer": buyer})


@login_required
@require_GET
def reservation_list(request):
    user = request.user
    _require_any(user)
    rows = selectors.reservation_list_for(user).select_related("buyer")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    facts = [
        {"facts": f, "editable": services.can_buy(user, f.reservation.buyer_path)}
        for f in selectors.reservation_facts(page.object_list)
    ]
    return render(
        request,
        "linkage/reservation_list.html",
        {"page": page, "facts": facts, "query_without_page": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reservation_create(request):
    user = request.user
    _require_any(user)
    form = ReservationForm(
        request.POST or None, user=user, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            row = services.reservation_set(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存消费帮扶预留：%(row)s。") % {"row": row})
            return redirect("linkage:reservations")
    return render(request, "linkage/reservation_form.html", {"form": form, "reservation": None})


@login_required
@require_http_methods(["GET", "POST"])
def reservation_edit(request, pk):
    user = request.user
    reservation = selectors.reservation_get_for(user, pk)
    if not services.can_buy(user, reservation.buyer_path):
        raise PermissionDenied
    form = ReservationForm(request.POST or None, user=user, reservation=reservation)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.reservation_set(
                actor=user,
                buyer=reservation.buyer,
                year=reservation.year,
                **form.cleaned_data,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存消费帮扶预留：%(row)s。") % {"row": row})
            return redirect("linkage:reservations")
    return render(
        request, "linkage/reservation_form.html", {"form": form, "reservation": reservation}
    )


# --- rural produce outlets (乡村特产展销点) -------------------------------------------------------
# An outlet is a buyer unit of kind outlet; its page shows what it carries, its opening hours
# and its monthly sales, entered by the outlet's organization (the same rule as its orders).


def _opening_rows(hours) -> list[tuple]:
    from django.utils.dates import WEEKDAYS

    return [(WEEKDAYS[i], entry) for i, entry in enumerate(hours or [])]


OUTLET_FIELDS = (
    "name",
    "organization",
    "address",
    "opening_hours",
    "lat",
    "lon",
    "max_km",
    "producers",
    "products",
)


@login_required
@require_GET
def outlet_list(request):
    user = request.user
    _require_any(user)
    rows = selectors.outlet_list_for(user).select_related("buyer", "buyer__organization")
    page = Paginator(rows.order_by("buyer__name", "buyer_id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "linkage/outlet_list.html",
        {"page": page, "query_without_page": query_without(request, "page")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outlet_create(request):
    user = request.user
    _require_any(user)
    form = OutletForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outlet = services.outlet_create(actor=user, **{k: data[k] for k in OUTLET_FIELDS})
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已添加展销点：%(name)s。") % {"name": outlet.buyer.name})
            return redirect("linkage:outlet_detail", pk=outlet.pk)
    return render(request, "linkage/outlet_form.html", {"form": form, "outlet": None})


@login_required
@require_http_methods(["GET", "POST"])
def outlet_edit(request, pk):
    user = request.user
    outlet = selectors.outlet_get_for(user, pk)
    if not services.can_buy(user, outlet.buyer.org_path):
        raise PermissionDenied
    form = OutletForm(request.POST or None, user=user, outlet=outlet)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outlet = services.outlet_update(
                actor=user, outlet=outlet, **{k: data[k] for k in OUTLET_FIELDS}
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存展销点：%(name)s。") % {"name": outlet.buyer.name})
            return redirect("linkage:outlet_detail", pk=outlet.pk)
    return render(request, "linkage/outlet_form.html", {"form": form, "outlet": outlet})


def _outlet_page(request, outlet, sale_form, status=200):
    user = request.user
    sales = (
        selectors.outlet_sale_list_for(user)
        .filter(outlet=outlet)
        .select_related("product", "producer")
        .order_by("-month", "product__name", "id")
    )
    page = Paginator(sales, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = services.can_buy(user, outlet.buyer.org_path)
    return render(
        request,
        "linkage/outlet_detail.html",
        {
            "outlet": outlet,
            "producers": outlet.producers.order_by("name"),
            "products": outlet.products.order_by("name"),
            "weekdays": _opening_rows(outlet.opening_hours),
            "page": page,
            "query_without_page": query_without(request, "page"),
            "editable": editable,
            "sale_form": sale_form if editable else None,
            "import_form": OutletSaleImportForm() if editable else None,
        },
        status=status,
    )


@login_required
@require_GET
def outlet_detail(request, pk):
    outlet = selectors.outlet_get_for(request.user, pk)
    month = timezone.localdate().replace(day=1)
    form = OutletSaleForm(outlet=outlet, initial={"month": month.strftime("%Y-%m")})
    return _outlet_page(request, outlet, form)


@login_required
@require_http_methods(["POST"])
def outlet_sale_create(request, pk):
    user = request.user
    outlet = selectors.outlet_get_for(user, pk)
    if not services.can_buy(user, outlet.buyer.org_path):
        raise PermissionDenied
    form = OutletSaleForm(request.POST, outlet=outlet)
    if form.is_valid():
        try:
            services.outlet_sale_record(actor=user, outlet=outlet, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已登记月度销售。"))
            return redirect("linkage:outlet_detail", pk=outlet.pk)
    return _outlet_page(request, outlet, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def outlet_sale_edit(request, pk):
    user = request.user
    sale = selectors.outlet_sale_get_for(user, pk)
    if not services.can_buy(user, sale.buyer_path):
        raise PermissionDenied
    form = OutletSaleForm(request.POST or None, outlet=sale.outlet, sale=sale)
    if request.method == "POST" and form.is_valid():
        try:
            services.outlet_sale_update(actor=user, sale=sale, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("linkage:outlet_detail", pk=sale.outlet_id)
    return render(request, "linkage/outlet_sale_form.html", {"form": form, "sale": sale})


# --- monthly sales from a spreadsheet: upload → preview → confirm ------------------------------
# The same right as entering one month (the outlet's organization). The preview writes nothing;
# the rows travel to the confirmation signed (importing.sign_rows), and are checked again there.


def _outlet_to_record(request, pk):
    outlet = selectors.outlet_get_for(request.user, pk)
    if not services.can_buy(request.user, outlet.buyer.org_path):
        raise PermissionDenied
    return outlet


def _import_page(
    request, outlet, form, *, result=None, token="", filename="", error="", status=200
):
    return render(
        request,
        "linkage/outlet_sale_import.html",
        {
            "outlet": outlet,
            "form": form,
            "result": result,
            "token": token,
            "filename": filename,
            "error": error,
            "max_rows": importing.MAX_ROWS,
            "max_bytes": importing.MAX_BYTES,
            "max_errors": importing.MAX_ERRORS_SHOWN,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outlet_sale_import(request, pk):
    user = request.user
    outlet = _outlet_to_record(request, pk)
    if request.method == "GET":
        return _import_page(request, outlet, OutletSaleImportForm())
    form = OutletSaleImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, outlet, form, status=400)
    try:
        filename, rows, notices = importing.read_sales_file(form.cleaned_data["file"])
    except ApplicationError as exc:
        apply_error(form, exc)
        return _import_page(request, outlet, form, status=400)
    result = services.outlet_sales_import(actor=user, outlet=outlet, rows=rows, commit=False)
    result.notices = notices
    if result.errors:
        return _import_page(request, outlet, form, result=result, status=400)
    token = importing.sign_rows(outlet, user, filename, rows)
    return _import_page(
        request, outlet, OutletSaleImportForm(), result=result, token=token, filename=filename
    )


@login_required
@require_POST
def outlet_sale_import_confirm(request, pk):
    user = request.user
    outlet = _outlet_to_record(request, pk)
    form = OutletSaleImportForm()
    try:
        filename, rows = importing.unsign_rows(outlet, user, request.POST.get("token", ""))
    except ApplicationError as exc:
        return _import_page(request, outlet, form, error=exc.message, status=400)
    result = services.outlet_sales_import(actor=user, outlet=outlet, rows=rows, filename=filename)
    if result.errors:  # the outlet or its sales changed since the preview
        return _import_page(request, outlet, form, result=result, status=400)
    messages.success(
        request,
        _("已导入月度销售：新增%(created)s条，更新%(updated)s条，未变%(same)s条。")
        % {"created": result.created, "updated": result.updated, "same": result.unchanged},
    )
    return redirect("linkage:outlet_detail", pk=outlet.pk)


@login_required
@require_GET
def outlet_sale_template(request, pk):
    outlet = _outlet_to_record(request, pk)
    return spreadsheets.download(
        importing.template_xlsx(outlet),
        _("%(name)s-月度销售导入模板.xlsx") % {"name": outlet.buyer.name},
        "outlet-sales-template.xlsx",
    )
