"""Writes of supply–sales linkage. Every write checks the actor's right, validates, runs in one
transaction and leaves an audit event.

Who writes what (``MANAGE_MEMBERS`` on the path named):

* producers (added and edited) and their lots: the producer's village organization (its
  secretary) or the chain; an edit needs the right where the producer is and where it goes;
* buyer units (added and edited), their orders and 消费帮扶 reservations: the buyer's
  organization (an edit: the old one's and the new one's);
* plans and closing lots at the end of their shelf life: the industry-chain organization (its
  secretary, or an admin above it such as the county's) — the coordinator;
* a shipment is confirmed once by each side (producer side: the lot's village or chain; buyer
  side: the buyer's organization); its outcome (delivered, accepted and sold kg) by the buyer side
  or the coordinator, once, after both confirmed.
"""

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tongchou.core import audit
from tongchou.core.errors import ApplicationError
from tongchou.core.models import AuditAction
from tongchou.linkage import planner
from tongchou.linkage.models import (
    Buyer,
    BuyerKind,
    Lot,
    LotState,
    Order,
    OrderState,
    Plan,
    Producer,
    ProducerKind,
    Product,
    Reservation,
    Shipment,
    ShipmentState,
)
from tongchou.organizations.models import Organization, OrgStatus, OrgType
from tongchou.organizations.permissions import Action, can

if TYPE_CHECKING:
    from tongchou.linkage.importing import SalesImport

DEFAULT_COST_PER_KG_KM = Decimal("0.004")  # yuan per kg and km, a refrigerated truck's share
DEFAULT_LOCAL_KM = Decimal("8")  # how far a buyer's own staff know the villages
MAX_HORIZON_DAYS = 366
MAX_KG = planner.MAX_KG
MAX_PRICE = Decimal("100000")


# --- checks ----------------------------------------------------------------------------------


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        field, messages = next(iter(fields.items()))
        raise ApplicationError(
            "invalid", messages[0], field=field, extra={"fields": fields}
        ) from None


def _text(value, *, field: str, label: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        raise ApplicationError("required", _("请填写%(label)s。") % {"label": label}, field=field)
    return value


def _kg(value, field: str = "kg") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ApplicationError("invalid_kg", _("数量应为整数公斤。"), field=field) from None
    if value <= 0:
        raise ApplicationError("invalid_kg", _("数量应大于0公斤。"), field=field)
    if value > MAX_KG:
        raise ApplicationError("invalid_kg", _("数量过大。"), field=field)
    return value


def _money(value, *, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(
            "invalid_number", _("%(label)s应为数字。") % {"label": label}, field=field
        ) from None
    if not amount.is_finite():
        raise ApplicationError(
            "invalid_number", _("%(label)s应为数字。") % {"label": label}, field=field
        )
    if amount < 0 or amount > MAX_PRICE * 10_000_000:
        raise ApplicationError(
            "invalid_number", _("%(label)s超出范围。") % {"label": label}, field=field
        )
    return amount.quantize(Decimal("0.01"))


def _price(value, *, field: str, label: str) -> Decimal:
    amount = _money(value, field=field, label=label)
    if amount > MAX_PRICE:
        raise ApplicationError(
            "invalid_number", _("%(label)s超出范围。") % {"label": label}, field=field
        )
    return amount


def _coordinate(value, *, field: str, limit: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApplicationError("invalid_place", _("坐标应为数字。"), field=field) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise ApplicationError(
            "invalid_place", _("坐标不在地球上（纬度±90°，经度±180°）。"), field=field
        )
    return number


def _place(lat, lon) -> tuple[float, float]:
    return _coordinate(lat, field="lat", limit=90.0), _coordinate(lon, field="lon", limit=180.0)


def _active(org: Organization, field: str) -> None:
    if org.status != OrgStatus.ACTIVE:
        raise ApplicationError("organization_dissolved", _("该党组织已撤销。"), field=field)


def _chain(org: Organization, field: str = "chain") -> None:
    _active(org, field)
    if org.org_type != OrgType.INDUSTRY_CHAIN:
        raise ApplicationError("not_a_chain", _("请选择产业链党组织。"), field=field)


def _product(product: Product, field: str = "product") -> None:
    if product is None or not isinstance(product, Product) or not product.active:
        raise ApplicationError("unknown_product", _("农产品不在目录中。"), field=field)


def can_plan(user, chain: Organization) -> bool:
    return can(user, Action.MANAGE_MEMBERS, chain.path)


def can_supply(user, *, village_path: str, chain_path: str) -> bool:
    return can(user, Action.MANAGE_MEMBERS, village_path) or can(
        user, Action.MANAGE_MEMBERS, chain_path
    )


def can_buy(user, buyer_path: str) -> bool:
    return can(user, Action.MANAGE_MEMBERS, buyer_path)


# --- producers and lots ----------------------------------------------------------------------

PRODUCER_FIELDS = ["name", "kind", "village", "chain", "lat", "lon"]
LOT_FIELDS = ["producer", "product", "grade", "kg", "harvest_on", "shelf_days", "price", "state"]


def _producer_values(*, name, kind, village: Organization, chain: Organization, lat, lon) -> dict:
    """The checked fields of a producer (one set of rules for adding and editing)."""
    _active(village, "village")
    _chain(chain)
    if kind not in ProducerKind.values:
        raise ApplicationError("invalid", _("请选择生产主体类别。"), field="kind")
    lat, lon = _place(lat, lon)
    return {
        "name": _text(name, field="name", label=_("名称")),
        "kind": kind,
        "village": village,
        "chain": chain,
        "village_path": village.path,
        "chain_path": chain.path,
        "lat": lat,
        "lon": lon,
    }


@transaction.atomic
def producer_create(
    *, actor, name: str, kind: str, village: Organization, chain: Organization, lat, lon
) -> Producer:
    if not can_supply(actor, village_path=village.path, chain_path=chain.path):
        raise PermissionDenied
    producer = Producer(
        **_producer_values(name=name, kind=kind, village=village, chain=chain, lat=lat, lon=lon)
    )
    _full_clean(producer, exclude=["village_path", "chain_path"])
    producer.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=producer,
        org_path=producer.village_path,
        also_paths=[producer.chain_path],
        after=audit.snapshot(producer, PRODUCER_FIELDS),
    )
    return producer


@transaction.atomic
def producer_update(
    *,
    actor,
    producer: Producer,
    name: str,
    kind: str,
    village: Organization,
    chain: Organization,
    lat,
    lon,
) -> Producer:
    """Edit a producer: the right is needed on where it is and on where it goes. Its lots carry
    the village's and the chain's paths, so once it has lots it stays in its village and chain."""
    producer = Producer.objects.select_for_update().get(pk=producer.pk)
    if not can_supply(actor, village_path=producer.village_path, chain_path=producer.chain_path):
        raise PermissionDenied
    if not can_supply(actor, village_path=village.path, chain_path=chain.path):
        raise PermissionDenied
    values = _producer_values(name=name, kind=kind, village=village, chain=chain, lat=lat, lon=lon)
    if producer.lots.exists():
        for field in ("village", "chain"):
            if values[field].pk != getattr(producer, f"{field}_id"):
                raise ApplicationError(
                    "producer_has_lots",
                    _("该生产主体已有供应批次，不能更换所在村党组织或产业链党组织。"),
                    field=field,
                )
    before = audit.snapshot(producer, PRODUCER_FIELDS)
    for key, value in values.items():
        setattr(producer, key, value)
    _full_clean(producer, exclude=["village_path", "chain_path"])
    producer.save()
    audit.record_update(
        actor=actor,
        obj=producer,
        org_path=producer.village_path,
        also_paths=[producer.chain_path],
        before=before,
        after=audit.snapshot(producer, PRODUCER_FIELDS),
    )
    return producer


@transaction.atomic
def lot_create(
    *,
    actor,
    producer: Producer,
    product: Product,
    kg,
    harvest_on: dt.date,
    price,
    shelf_days=None,
    grade: str = "",
    lat=None,
    lon=None,
) -> Lot:
    """A cooperative lists a lot; the shelf life defaults to the product's."""
    if not can_supply(actor, village_path=producer.village_path, chain_path=producer.chain_path):
        raise PermissionDenied
    _product(product)
    if not isinstance(harvest_on, dt.date):
        raise ApplicationError("invalid_date", _("请填写采收日期。"), field="harvest_on")
    if shelf_days in (None, ""):
        shelf_days = product.shelf_days
    try:
        shelf_days = int(shelf_days)
    except (TypeError, ValueError):
        raise ApplicationError("invalid", _("保鲜天数应为整数。"), field="shelf_days") from None
    if not 1 <= shelf_days <= planner.MAX_DAYS:
        raise ApplicationError("invalid", _("保鲜天数应至少为1天。"), field="shelf_days")
    grade = (grade or "").strip()
    if grade and product.grades and grade not in product.grades:
        raise ApplicationError("invalid", _("该农产品没有这个等级。"), field="grade")
    if (lat in (None, "")) != (lon in (None, "")):
        raise ApplicationError("invalid_place", _("经纬度应同时填写。"), field="lat")
    if lat not in (None, ""):
        lat, lon = _place(lat, lon)
    else:
        lat = lon = None
    lot = Lot(
        producer=producer,
        product=product,
        grade=grade,
        kg=_kg(kg),
        harvest_on=harvest_on,
        shelf_days=shelf_days,
        price=_price(price, field="price", label=_("地头价")),
        lat=lat,
        lon=lon,
        chain_id=producer.chain_id,
        village_path=producer.village_path,
        chain_path=producer.chain_path,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _full_clean(lot, exclude=["village_path", "chain_path", "created_by"])
    lot.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=lot,
        org_path=lot.village_path,
        also_paths=[lot.chain_path],
        after=audit.snapshot(lot, LOT_FIELDS),
    )
    return lot


@transaction.atomic
def lot_close(*, actor, lot: Lot, today: dt.date | None = None) -> Lot:
    """At the end of its shelf life a lot is closed: what was not sold is spoiled (the loss)."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if not can_plan(actor, lot.chain):
        raise PermissionDenied
    today = today or timezone.localdate()
    if lot.state in (LotState.SOLD, LotState.SPOILED):
        raise ApplicationError("lot_closed", _("该批次已结清。"))
    if today <= lot.last_day and lot.sold_kg < lot.kg:
        raise ApplicationError("lot_fresh", _("该批次尚在保鲜期内，不能记为损耗。"))
    before = audit.snapshot(lot, ["state", "sold_kg", "spoiled_kg"])
    lot.spoiled_kg = lot.kg - lot.sold_kg
    lot.state = LotState.SPOILED if lot.spoiled_kg else LotState.SOLD
    lot.save(update_fields=["spoiled_kg", "state", "updated_at"])
    audit.record_update(
        actor=actor,
        obj=lot,
        org_path=lot.chain_path,
        also_paths=[lot.village_path],
        before=before,
        after=audit.snapshot(lot, ["state", "sold_kg", "spoiled_kg"]),
    )
    return lot


def lots_close_expired(*, actor, chain: Organization, today: dt.date) -> int:
    """Close every lot of the chain whose shelf life ended before ``today``."""
    count = 0
    for lot in Lot.objects.filter(
        chain=chain, state__in=[LotState.LISTED, LotState.PLANNED, LotState.SHIPPED]
    ).order_by("id"):
        if lot.last_day < today:
            lot_close(actor=actor, lot=lot, today=today)
            count += 1
    return count


# --- buyers, orders, reservations ------------------------------------------------------------

BUYER_FIELDS = ["name", "kind", "organization", "lat", "lon", "max_km"]
ORDER_FIELDS = ["buyer", "chain", "product", "kg", "deliver_on", "max_price", "lat", "lon"]


def _buyer_values(*, name, kind, organization: Organization, lat, lon, max_km) -> dict:
    """The checked fields of a buyer unit (one set of rules for adding and editing)."""
    _active(organization, "organization")
    if kind not in BuyerKind.values:
        raise ApplicationError("invalid", _("请选择采购单位类别。"), field="kind")
    lat, lon = _place(lat, lon)
    try:
        max_km = int(max_km)
    except (TypeError, ValueError):
        raise ApplicationError("invalid", _("最远采购距离应为整数公里。"), field="max_km") from None
    if not 1 <= max_km <= 20_000:
        raise ApplicationError("invalid", _("最远采购距离应在1到20000公里之间。"), field="max_km")
    return {
        "name": _text(name, field="name", label=_("名称")),
        "kind": kind,
        "organization": organization,
        "org_path": organization.path,
        "lat": lat,
        "lon": lon,
        "max_km": max_km,
    }


@transaction.atomic
def buyer_create(
    *, actor, name: str, kind: str, organization: Organization, lat, lon, max_km
) -> Buyer:
    if not can_buy(actor, organization.path):
        raise PermissionDenied
    buyer = Buyer(
        **_buyer_values(
            name=name, kind=kind, organization=organization, lat=lat, lon=lon, max_km=max_km
        )
    )
    _full_clean(buyer, exclude=["org_path"])
    buyer.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=buyer,
        org_path=buyer.org_path,
        after=audit.snapshot(buyer, BUYER_FIELDS),
    )
    _outlet_profile(buyer)
    return buyer


def _outlet_profile(buyer: Buyer) -> None:
    """Keep "an outlet-kind buyer has its outlet profile, no other buyer has one": made when a
    buyer becomes an outlet; dropped when it stops being one (refused once it has sales)."""
    from tongchou.linkage.models import Outlet, OutletSale

    if buyer.kind == BuyerKind.OUTLET:
        Outlet.objects.get_or_create(buyer=buyer)
        return
    if OutletSale.objects.filter(outlet_id=buyer.pk).exists():
        raise ApplicationError(
            "outlet_has_sales",
            _("该展销点已有销售记录，不能改为其他类别。"),
            field="kind",
        )
    Outlet.objects.filter(buyer=buyer).delete()


@transaction.atomic
def buyer_update(
    *, actor, buyer: Buyer, name: str, kind: str, organization: Organization, lat, lon, max_km
) -> Buyer:
    """Edit a buyer unit: the right is needed on its organization and on the new one. Its
    orders and reservations carry the organization's path, so once it has any it stays there.
    Orders already posted keep their own delivery point."""
    buyer = Buyer.objects.select_for_update().get(pk=buyer.pk)
    if not can_buy(actor, buyer.org_path) or not can_buy(actor, organization.path):
        raise PermissionDenied
    values = _buyer_values(
        name=name, kind=kind, organization=organization, lat=lat, lon=lon, max_km=max_km
    )
    if organization.pk != buyer.organization_id and (
        buyer.orders.exists() or buyer.reservations.exists()
    ):
        raise ApplicationError(
            "buyer_has_orders",
            _("该采购单位已有订单或消费帮扶预留，不能更换所属党组织。"),
            field="organization",
        )
    before = audit.snapshot(buyer, BUYER_FIELDS)
    for key, value in values.items():
        setattr(buyer, key, value)
    _full_clean(buyer, exclude=["org_path"])
    buyer.save()
    _outlet_profile(buyer)
    audit.record_update(
        actor=actor,
        obj=buyer,
        org_path=buyer.org_path,
        before=before,
        after=audit.snapshot(buyer, BUYER_FIELDS),
    )
    return buyer


@transaction.atomic
def order_create(
    *,
    actor,
    buyer: Buyer,
    chain: Organization,
    product: Product,
    kg,
    deliver_on: dt.date,
    max_price,
    lat=None,
    lon=None,
) -> Order:
    """A buyer unit posts an order to an industry chain; delivered to its own place unless a
    delivery point is given."""
    if not can_buy(actor, buyer.org_path):
        raise PermissionDenied
    _chain(chain)
    _product(product)
    if not isinstance(deliver_on, dt.date):
        raise ApplicationError("invalid_date", _("请填写送达日期。"), field="deliver_on")
    if lat in (None, "") and lon in (None, ""):
        lat, lon = buyer.lat, buyer.lon
    lat, lon = _place(lat, lon)
    order = Order(
        buyer=buyer,
        chain=chain,
        product=product,
        kg=_kg(kg),
        deliver_on=deliver_on,
        max_price=_price(max_price, field="max_price", label=_("最高到货价")),
        lat=lat,
        lon=lon,
        buyer_path=buyer.org_path,
        chain_path=chain.path,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _full_clean(order, exclude=["buyer_path", "chain_path", "created_by"])
    order.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=order,
        org_path=order.buyer_path,
        also_paths=[order.chain_path],
        after=audit.snapshot(order, ORDER_FIELDS),
    )
    return order


@transaction.atomic
def reservation_set(*, actor, buyer: Buyer, year: int, food_budget, reserved) -> Reservation:
    """消费帮扶: reserve part of a year's food budget for rural produce (set or change)."""
    if not can_buy(actor, buyer.org_path):
        raise PermissionDenied
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ApplicationError("invalid", _("年度应为整数。"), field="year") from None
    if not 2000 <= year <= 2100:
        raise ApplicationError("invalid", _("年度应在2000到2100之间。"), field="year")
    budget = _money(food_budget, field="food_budget", label=_("年度食材预算"))
    amount = _money(reserved, field="reserved", label=_("预留采购额"))
    if amount > budget:
        raise ApplicationError(
            "reserved_over_budget", _("预留额不能超过年度食材预算。"), field="reserved"
        )
    existing = Reservation.objects.select_for_update().filter(buyer=buyer, year=year).first()
    if existing is None:
        row = Reservation.objects.create(
            buyer=buyer, year=year, food_budget=budget, reserved=amount, buyer_path=buyer.org_path
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=row,
            org_path=row.buyer_path,
            after=audit.snapshot(row, ["buyer", "year", "food_budget", "reserved"]),
        )
        return row
    before = audit.snapshot(existing, ["food_budget", "reserved"])
    existing.food_budget, existing.reserved = budget, amount
    existing.save(update_fields=["food_budget", "reserved", "updated_at"])
    audit.record_update(
        actor=actor,
        obj=existing,
        org_path=existing.buyer_path,
        before=before,
        after=audit.snapshot(existing, ["food_budget", "reserved"]),
    )
    return existing


# --- the plan --------------------------------------------------------------------------------


def scenario_of(
    lots: list[Lot], orders: list[Order], *, start: dt.date, days: int, cost, local_km
) -> planner.Scenario:
    """The planner's scenario of database rows: day 0 is ``start``; a lot harvested before it
    enters with the rest of its window; every order is a buyer at its delivery point with its
    unit's max_km (so the baseline's "within local_km of the buyer" is of the delivery point)."""
    p_lots = []
    for lot in lots:
        first = (lot.harvest_on - start).days
        last = first + lot.shelf_days - 1
        first, last = max(first, 0), min(last, days - 1)
        if first > last:
            continue
        lat, lon = lot.point
        p_lots.append(
            planner.Lot(
                lot.pk,
                str(lot.product_id),
                lot.kg,
                first,
                last - first + 1,
                lat,
                lon,
                float(lot.price),
            )
        )
    p_buyers, p_orders = [], []
    for order in orders:
        day = (order.deliver_on - start).days
        if not 0 <= day < days:
            continue
        p_buyers.append(planner.Buyer(order.pk, order.lat, order.lon, float(order.buyer.max_km)))
        p_orders.append(
            planner.Order(
                order.pk, order.pk, str(order.product_id), order.kg, day, float(order.max_price)
            )
        )
    return planner.Scenario(start, days, float(cost), float(local_km), p_lots, p_buyers, p_orders)


@transaction.atomic
def plan_create(
    *,
    actor,
    chain: Organization,
    start: dt.date,
    days: int,
    cost_per_kg_km=DEFAULT_COST_PER_KG_KM,
    local_km=DEFAULT_LOCAL_KM,
) -> Plan:
    """The coordinator plans the horizon: the chain's listed lots that can ship in it and its
    open orders delivered in it. Proposed shipments go to both sides; planned lots and orders
    leave the pool of the next plan."""
    if not can_plan(actor, chain):
        raise PermissionDenied
    _chain(chain)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ApplicationError("invalid", _("天数应为整数。"), field="days") from None
    if not 1 <= days <= MAX_HORIZON_DAYS:
        raise ApplicationError("invalid", _("天数应在1到366之间。"), field="days")
    if not isinstance(start, dt.date):
        raise ApplicationError("invalid_date", _("请填写起始日期。"), field="start")
    cost = Decimal(str(cost_per_kg_km))
    local = Decimal(str(local_km))
    if not cost.is_finite() or cost < 0 or cost > 100:
        raise ApplicationError("invalid_number", _("运费应为非负数。"), field="cost_per_kg_km")
    if not local.is_finite() or local < 0 or local > 20_000:
        raise ApplicationError("invalid_number", _("自行采购半径应为非负数。"), field="local_km")
    end = start + dt.timedelta(days=days - 1)
    lots = list(
        Lot.objects.select_for_update()
        .filter(chain=chain, state=LotState.LISTED, harvest_on__lte=end)
        .select_related("producer")
        .order_by("id")
    )
    lots = [lot for lot in lots if lot.last_day >= start]
    orders = list(
        Order.objects.select_for_update()
        .filter(chain=chain, state=OrderState.OPEN, deliver_on__range=(start, end))
        .select_related("buyer")
        .order_by("id")
    )
    scenario = scenario_of(lots, orders, start=start, days=days, cost=cost, local_km=local)
    result = planner.plan(scenario)
    by_lot = {lot.pk: lot for lot in lots}
    by_order = {order.pk: order for order in orders}
    km_of = {}
    a = planner.arrays(scenario)
    if result.shipments:
        import numpy as np

        li = np.array([i for i, _j, _k in result.shipments])
        oj = np.array([j for _i, j, _k in result.shipments])
        kms = planner.pair_km(a, li, a.order_buyer[oj])
        km_of = {(int(i), int(j)): float(k) for i, j, k in zip(li, oj, kms, strict=True)}
    plan = Plan.objects.create(
        chain=chain,
        chain_path=chain.path,
        start=start,
        days=days,
        cost_per_kg_km=cost,
        local_km=local,
        lot_kg=result.total_kg,
        shipped_kg=result.shipped_kg,
        loss=result.loss,
        baseline_loss=result.baseline_loss,
        transport_cost=Decimal(str(round(result.transport_cost, 2))),
        unshipped=[
            {"lot": scenario.lots[i].id, "kg": kg, "reason": reason}
            for i, kg, reason in result.unshipped
        ],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    shipments = []
    for i, j, kg in result.shipments:
        lot, order = by_lot[scenario.lots[i].id], by_order[scenario.orders[j].id]
        km = km_of[(i, j)]
        price = (lot.price + cost * Decimal(str(round(km, 3)))).quantize(Decimal("0.01"))
        shipments.append(
            Shipment(
                plan=plan,
                lot=lot,
                order=order,
                kg=kg,
                km=round(km, 3),
                delivered_price=min(price, order.max_price),
                ship_on=order.deliver_on,
                chain_path=chain.path,
                village_path=lot.village_path,
                buyer_path=order.buyer_path,
            )
        )
    Shipment.objects.bulk_create(shipments)
    planned_lots = {s.lot_id for s in shipments}
    planned_orders = {s.order_id for s in shipments}
    Lot.objects.filter(pk__in=planned_lots).update(state=LotState.PLANNED)
    Order.objects.filter(pk__in=planned_orders).update(state=OrderState.PLANNED)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        org_path=plan.chain_path,
        after={
            "start": start.isoformat(),
            "days": days,
            "lots": len(scenario.lots),
            "orders": len(scenario.orders),
            "shipments": len(shipments),
            "shipped_kg": result.shipped_kg,
            "loss": round(result.loss, 6),
            "baseline_loss": round(result.baseline_loss, 6),
        },
    )
    return plan


# --- shipments -------------------------------------------------------------------------------

PRODUCER_SIDE = "producer"
BUYER_SIDE = "buyer"


@transaction.atomic
def shipment_confirm(*, actor, shipment: Shipment, side: str) -> Shipment:
    """One side confirms a proposed shipment; with both, it is confirmed (a firm order)."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if side == PRODUCER_SIDE:
        if not can_supply(
            actor, village_path=shipment.village_path, chain_path=shipment.chain_path
        ):
            raise PermissionDenied
        field = "producer_confirmed_at"
    elif side == BUYER_SIDE:
        if not can_buy(actor, shipment.buyer_path):
            raise PermissionDenied
        field = "buyer_confirmed_at"
    else:
        raise ApplicationError("invalid", _("请选择供方或需方。"), field="side")
    if getattr(shipment, field) is not None:
        raise ApplicationError("already_confirmed", _("这一方已确认过该发运。"), field="side")
    setattr(shipment, field, timezone.now())
    if shipment.producer_confirmed_at and shipment.buyer_confirmed_at:
        shipment.state = ShipmentState.CONFIRMED
    shipment.save(update_fields=[field, "state", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=shipment,
        org_path=shipment.chain_path,
        also_paths=[shipment.village_path, shipment.buyer_path],
        after={"confirmed": side, "state": shipment.state},
    )
    return shipment


@transaction.atomic
def shipment_record_outcome(*, actor, shipment: Shipment, delivered_kg, sold_kg) -> Shipment:
    """What arrived and what the buyer accepted (sold). Once; never more than shipped."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if not (
        can_buy(actor, shipment.buyer_path)
        or can(actor, Action.MANAGE_MEMBERS, shipment.chain_path)
    ):
        raise PermissionDenied
    if shipment.state == ShipmentState.DELIVERED:
        raise ApplicationError("outcome_recorded", _("该发运的结果已登记。"))
    if shipment.state != ShipmentState.CONFIRMED:
        raise ApplicationError("not_confirmed", _("供需双方都确认后才能登记结果。"))
    delivered = _count(delivered_kg, "delivered_kg")
    sold = _count(sold_kg, "sold_kg")
    if delivered > shipment.kg:
        raise ApplicationError(
            "more_than_shipped", _("送达数量不能超过发运数量。"), field="delivered_kg"
        )
    if sold > delivered:
        raise ApplicationError(
            "more_than_shipped", _("售出数量不能超过送达数量。"), field="sold_kg"
        )
    shipment.delivered_kg, shipment.sold_kg = delivered, sold
    shipment.state = ShipmentState.DELIVERED
    shipment.save(update_fields=["delivered_kg", "sold_kg", "state", "updated_at"])
    lot = Lot.objects.select_for_update().get(pk=shipment.lot_id)
    Lot.objects.filter(pk=lot.pk).update(sold_kg=F("sold_kg") + sold)
    lot.refresh_from_db()
    if lot.state in (LotState.LISTED, LotState.PLANNED):
        lot.state = LotState.SOLD if lot.sold_kg >= lot.kg else LotState.SHIPPED
    elif lot.state == LotState.SHIPPED and lot.sold_kg >= lot.kg:
        lot.state = LotState.SOLD
    lot.save(update_fields=["state", "updated_at"])
    order = shipment.order
    open_left = order.shipments.exclude(state=ShipmentState.DELIVERED).exists()
    if not open_left:
        Order.objects.filter(pk=order.pk).update(state=OrderState.CLOSED)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=shipment,
        org_path=shipment.chain_path,
        also_paths=[shipment.village_path, shipment.buyer_path],
        after={"delivered_kg": delivered, "sold_kg": sold, "state": shipment.state},
    )
    return shipment


def _count(value, field: str) -> int:
    if isinstance(value, bool):
        raise ApplicationError("invalid_kg", _("数量应为整数公斤。"), field=field)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError("invalid_kg", _("数量应为整数公斤。"), field=field) from None
    if number < 0:
        raise ApplicationError("invalid_kg", _("数量不能为负数。"), field=field)
    return number


def bought_in(buyer_ids, year: int) -> dict[int, Decimal]:
    """消费帮扶 bought per buyer in a year: accepted kg × delivered price of delivered shipments."""
    rows = (
        Shipment.objects.filter(
            order__buyer_id__in=list(buyer_ids),
            state=ShipmentState.DELIVERED,
            ship_on__year=year,
        )
        .values("order__buyer_id")
        .annotate(total=Sum(F("sold_kg") * F("delivered_price")))
    )
    return {r["order__buyer_id"]: Decimal(r["total"] or 0).quantize(Decimal("0.01")) for r in rows}


# --- rural produce outlets (乡村特产展销点) and their monthly sales ---------------------------

SALE_FIELDS = ["outlet", "month", "product", "producer", "kg", "yuan"]


def _city_community(organization: Organization) -> None:
    """An outlet sits in a city community: an organization marked urban."""
    from tongchou.regions.models import UrbanRural

    if organization.urban_rural != UrbanRural.URBAN:
        raise ApplicationError(
            "not_a_city_community",
            _("乡村特产展销点应设在城市社区，请选择城市社区的党组织。"),
            field="organization",
        )


def _outlet_carries(outlet, *, address, opening_hours, producers, products) -> dict:
    from tongchou.core.hours import parse_opening_hours

    address = (address or "").strip() if isinstance(address, str) else ""
    if len(address) > 200:
        raise ApplicationError("too_long", _("地址不能超过200个字。"), field="address")
    producers, products = list(dict.fromkeys(producers or [])), list(dict.fromkeys(products or []))
    for product in products:
        _product(product, field="products")
    for producer in producers:
        if not isinstance(producer, Producer):
            raise ApplicationError("unknown_producer", _("没有这个生产主体。"), field="producers")
    return {
        "address": address,
        "opening_hours": parse_opening_hours(opening_hours),
        "producers": producers,
        "products": products,
    }


def _outlet_view(outlet) -> dict:
    return {
        "address": outlet.address,
        "opening_hours": outlet.opening_hours,
        "producers": sorted(outlet.producers.values_list("pk", flat=True)),
        "products": sorted(outlet.products.values_list("pk", flat=True)),
    }


@transaction.atomic
def outlet_create(
    *,
    actor,
    name: str,
    organization: Organization,
    lat,
    lon,
    max_km=40,
    address: str = "",
    opening_hours=None,
    producers=(),
    products=(),
):
    """A new outlet: a buyer unit of kind outlet in a city community, with what it carries.
    By the community's secretary or an admin above it."""
    if not can_buy(actor, organization.path):
        raise PermissionDenied
    _city_community(organization)
    carries = _outlet_carries(
        None, address=address, opening_hours=opening_hours, producers=producers, products=products
    )
    buyer = buyer_create(
        actor=actor,
        name=name,
        kind=BuyerKind.OUTLET,
        organization=organization,
        lat=lat,
        lon=lon,
        max_km=max_km,
    )
    return _outlet_save(actor, buyer.outlet, carries, created=True)


def _outlet_save(actor, outlet, carries: dict, *, created: bool):
    before = None if created else _outlet_view(outlet)
    outlet.address, outlet.opening_hours = carries["address"], carries["opening_hours"]
    _full_clean(outlet, exclude=["buyer"])
    outlet.save()
    outlet.producers.set(carries["producers"])
    outlet.products.set(carries["products"])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=outlet,
        org_path=outlet.buyer.org_path,
        before=before,
        after=_outlet_view(outlet),
    )
    return outlet


@transaction.atomic
def outlet_update(
    *,
    actor,
    outlet,
    name: str,
    organization: Organization,
    lat,
    lon,
    max_km,
    address: str = "",
    opening_hours=None,
    producers=(),
    products=(),
):
    """Edit an outlet: its buyer unit's fields (``buyer_update``'s rules) and what it carries."""
    from tongchou.linkage.models import Outlet

    outlet = Outlet.objects.select_for_update().select_related("buyer").get(pk=outlet.pk)
    if not can_buy(actor, outlet.buyer.org_path) or not can_buy(actor, organization.path):
        raise PermissionDenied
    _city_community(organization)
    carries = _outlet_carries(
        outlet,
        address=address,
        opening_hours=opening_hours,
        producers=producers,
        products=products,
    )
    buyer_update(
        actor=actor,
        buyer=outlet.buyer,
        name=name,
        kind=BuyerKind.OUTLET,
        organization=organization,
        lat=lat,
        lon=lon,
        max_km=max_km,
    )
    outlet.buyer.refresh_from_db()
    return _outlet_save(actor, outlet, carries, created=False)


def _month(value, today: dt.date) -> dt.date:
    """A month as its first day; "2026-05", "2026-05-01" or a date; not after this month."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value or "").strip()
        try:
            value = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
        except ValueError:
            raise ApplicationError(
                "invalid_month", _("月份应为“2026-05”的形式。"), field="month"
            ) from None
    month = value.replace(day=1)
    if month > today.replace(day=1):
        raise ApplicationError("future_month", _("不能登记未来月份的销售。"), field="month")
    if month.year < 2000:
        raise ApplicationError("invalid_month", _("月份应为“2026-05”的形式。"), field="month")
    return month


def sale_values(
    outlet, *, month, product, producer, kg, yuan, today, carried: set[int] | None = None
) -> dict:
    """The checked fields of one month's sales row: the one rule set of the form, the API and
    the spreadsheet import (which passes ``carried``, the ids of the producers the outlet
    carries, read once for the whole file)."""
    _product(product)
    if producer is not None and not isinstance(producer, Producer):
        raise ApplicationError("unknown_producer", _("没有这个生产主体。"), field="producer")
    # A sale names only a cooperative the outlet carries: its rows reach that producer's chain
    # report and village, so an outlet may not write into anyone else's.
    if carried is None and producer is not None:
        carried = set(outlet.producers.filter(pk=producer.pk).values_list("pk", flat=True))
    if producer is not None and producer.pk not in carried:
        raise ApplicationError(
            "producer_not_carried",
            _("该展销点未代销这个生产主体的产品，请先在展销点资料中添加。"),
            field="producer",
        )
    return {
        "month": _month(month, today),
        "product": product,
        "producer": producer,
        "kg": _count(kg, "kg"),
        "yuan": _money(yuan, field="yuan", label=_("销售额")),
    }


def _sale_unique(outlet, values: dict, exclude_pk=None) -> None:
    from tongchou.linkage.models import OutletSale

    rows = OutletSale.objects.filter(
        outlet=outlet,
        month=values["month"],
        product=values["product"],
        producer=values["producer"],
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        raise ApplicationError(
            "duplicate_month",
            _("该展销点这个月的这项销售已登记，请修改原记录。"),
            field="month",
        )


@transaction.atomic
def outlet_sale_record(
    *, actor, outlet, month, product, kg, yuan, producer=None, today: dt.date | None = None
):
    """One month's sales of a product (of a producer, when known) at an outlet, entered by
    the outlet's organization. Once per outlet, month, product and producer."""
    from tongchou.linkage.models import Outlet, OutletSale

    outlet = Outlet.objects.select_for_update().select_related("buyer").get(pk=outlet.pk)
    if not can_buy(actor, outlet.buyer.org_path):
        raise PermissionDenied
    values = sale_values(
        outlet,
        month=month,
        product=product,
        producer=producer,
        kg=kg,
        yuan=yuan,
        today=today or timezone.localdate(),
    )
    _sale_unique(outlet, values)
    sale = OutletSale(
        outlet=outlet,
        buyer_path=outlet.buyer.org_path,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    _full_clean(sale, exclude=["buyer_path", "created_by"])
    sale.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=sale,
        org_path=sale.buyer_path,
        after=audit.snapshot(sale, SALE_FIELDS),
    )
    return sale


@transaction.atomic
def outlet_sale_update(
    *, actor, sale, month, product, kg, yuan, producer=None, today: dt.date | None = None
):
    from tongchou.linkage.models import OutletSale

    sale = OutletSale.objects.select_for_update().select_related("outlet").get(pk=sale.pk)
    if not can_buy(actor, sale.buyer_path):
        raise PermissionDenied
    values = sale_values(
        sale.outlet,
        month=month,
        product=product,
        producer=producer,
        kg=kg,
        yuan=yuan,
        today=today or timezone.localdate(),
    )
    _sale_unique(sale.outlet, values, exclude_pk=sale.pk)
    before = audit.snapshot(sale, SALE_FIELDS)
    for key, value in values.items():
        setattr(sale, key, value)
    _full_clean(sale, exclude=["buyer_path", "created_by"])
    sale.save()
    audit.record_update(
        actor=actor,
        obj=sale,
        org_path=sale.buyer_path,
        before=before,
        after=audit.snapshot(sale, SALE_FIELDS),
    )
    return sale


SALE_IMPORT_FIELDS = ["kg", "yuan"]


@transaction.atomic
def outlet_sales_import(
    *, actor, outlet, rows, filename: str = "", commit: bool = True, today: dt.date | None = None
) -> "SalesImport":
    """A spreadsheet of an outlet's monthly sales (``linkage.importing`` reads the file):
    every row checked by the rules of a single sale, and — only when no row has a problem —
    written in this one transaction: new rows created, rows for a month, cooperative and product
    already recorded updated to the file's figures (never added to them). ``commit=False``
    checks and says what would happen (the preview), writing nothing. One audit event for the
    import, with the figures every update replaced. By whoever may record the outlet's sales."""
    from tongchou.linkage import importing
    from tongchou.linkage.models import Outlet, OutletSale

    outlet = Outlet.objects.select_for_update().select_related("buyer").get(pk=outlet.pk)
    if not can_buy(actor, outlet.buyer.org_path):
        raise PermissionDenied
    result = importing.check_sales(outlet, rows, today=today or timezone.localdate())
    if result.errors or not commit:
        return result
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    created = []
    updated = []
    changes = []
    for row in result.rows:
        if row.action == "create":
            sale = OutletSale(
                outlet=outlet,
                month=row.month,
                product=row.product,
                producer=row.producer,
                kg=row.kg,
                yuan=row.yuan,
                buyer_path=outlet.buyer.org_path,
                created_by=user,
            )
            created.append(sale)
        elif row.action == "update":
            sale = row.existing
            changes.append({"sale": sale.pk, "before": audit.snapshot(sale, SALE_IMPORT_FIELDS)})
            sale.kg, sale.yuan, sale.updated_at = row.kg, row.yuan, now
            updated.append(sale)
        else:
            continue
        # The uniqueness of (outlet, month, product, producer) was checked over the whole
        # file under the outlet's lock (and the database's constraints stand behind it).
        _full_clean_row(sale)
    OutletSale.objects.bulk_create(created)
    OutletSale.objects.bulk_update(updated, ["kg", "yuan", "updated_at"])
    for change, sale in zip(changes, updated, strict=True):
        change["after"] = audit.snapshot(sale, SALE_IMPORT_FIELDS)
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type=OutletSale._meta.label_lower,
        object_id=str(outlet.pk),
        object_repr=_("%(outlet)s 月度销售导入") % {"outlet": outlet.buyer.name},
        org_path=outlet.buyer.org_path,
        after={
            "outlet": outlet.pk,
            "created": len(created),
            "updated": len(updated),
            "unchanged": result.unchanged,
            "months": sorted({r.month.strftime("%Y-%m") for r in result.rows}),
            "changes": changes,
        },
        note=(filename or "")[:200],
    )
    result.written = True
    return result


def _full_clean_row(sale) -> None:
    """The field checks of one imported row, without a query a row: its references were read
    from the database for the file, and its uniqueness checked over the file."""
    try:
        sale.full_clean(
            exclude=["buyer_path", "created_by", "outlet", "product", "producer"],
            validate_unique=False,
            validate_constraints=False,
        )
    except DjangoValidationError as exc:  # pragma: no cover - the rows were checked above
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ApplicationError("invalid", next(iter(fields.values()))[0], field="file") from None
