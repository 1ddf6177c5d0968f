"""Reads of supply–sales linkage, always through a user's scope (``VIEW_MEMBERS``).

* producers and lots: in scope of their village organization or of their chain;
* buyers, orders, reservations: in scope of the buyer's organization (orders also of the chain
  they were posted to; buyers also when they posted an order to a chain in scope);
* plans: the chain's; shipments: the chain's, the lot's village's or the buyer's.

Out of scope is a 404, the same as missing. The season board and the season report are the
chain's (its coordinator, or anyone whose scope covers the chain).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum

from tongchou.core.lookups import one_or_404
from tongchou.linkage import planner
from tongchou.linkage.models import (
    Buyer,
    Lot,
    LotState,
    Order,
    Outlet,
    OutletSale,
    Plan,
    Producer,
    Product,
    Reservation,
    Shipment,
)
from tongchou.organizations.models import Organization, OrgStatus, OrgType
from tongchou.organizations.permissions import Action, can, scope_for

AT_RISK_DAYS = 7


def can_use_linkage(user) -> bool:
    return can(user, Action.VIEW_MEMBERS)


def product_list() -> QuerySet[Product]:
    return Product.objects.filter(active=True)


def product_get(pk) -> Product:
    return one_or_404(product_list(), pk)


def chain_list_for(user) -> QuerySet[Organization]:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    return Organization.objects.filter(
        scope.q("path"), org_type=OrgType.INDUSTRY_CHAIN, status=OrgStatus.ACTIVE
    ).order_by("name", "id")


def chain_get_for(user, pk) -> Organization:
    return one_or_404(chain_list_for(user), pk)


def producer_list_for(user) -> QuerySet[Producer]:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    return Producer.objects.filter(scope.q("village_path") | scope.q("chain_path"))


def producer_get_for(user, pk) -> Producer:
    return one_or_404(producer_list_for(user).select_related("village", "chain"), pk)


def lot_list_for(user) -> QuerySet[Lot]:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    return Lot.objects.filter(scope.q("village_path") | scope.q("chain_path"))


def lot_get_for(user, pk) -> Lot:
    return one_or_404(lot_list_for(user).select_related("producer", "product", "chain"), pk)


def buyer_list_for(user) -> QuerySet[Buyer]:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Buyer.objects.all()
    ordering = Order.objects.filter(scope.q("chain_path")).values("buyer_id")
    return Buyer.objects.filter(scope.q("org_path") | Q(pk__in=ordering))


def buyer_get_for(user, pk) -> Buyer:
    return one_or_404(buyer_list_for(user).select_related("organization"), pk)


def order_list_for(user) -> QuerySet[Order]:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    return Order.objects.filter(scope.q("buyer_path") | scope.q("chain_path"))


def order_get_for(user, pk) -> Order:
    return one_or_404(order_list_for(user).select_related("buyer", "product", "chain"), pk)


def plan_list_for(user) -> QuerySet[Plan]:
    return Plan.objects.filter(scope_for(user, Action.VIEW_MEMBERS).q("chain_path"))


def plan_get_for(user, pk) -> Plan:
    return one_or_404(plan_list_for(user).select_related("chain"), pk)


def shipment_list_for(user) -> QuerySet[Shipment]:
    scope = scope_for(user, Action.VIEW_MEMBERS)
    return Shipment.objects.filter(
        scope.q("chain_path") | scope.q("village_path") | scope.q("buyer_path")
    )


def shipment_get_for(user, pk) -> Shipment:
    return one_or_404(
        shipment_list_for(user).select_related(
            "lot", "lot__product", "lot__producer", "order", "order__buyer"
        ),
        pk,
    )


def reservation_list_for(user) -> QuerySet[Reservation]:
    return Reservation.objects.filter(scope_for(user, Action.VIEW_MEMBERS).q("buyer_path"))


def reservation_get_for(user, pk) -> Reservation:
    return one_or_404(reservation_list_for(user).select_related("buyer"), pk)


@dataclass
class ReservationFacts:
    reservation: Reservation
    bought: object  # Decimal

    @property
    def share(self) -> float | None:
        if not self.reservation.reserved:
            return None
        return float(self.bought / self.reservation.reserved)


def reservation_facts(rows) -> list[ReservationFacts]:
    """Reserved vs bought (accepted, delivered) per buyer and year: facts, not a ranking."""
    from tongchou.linkage.services import bought_in

    rows = list(rows)
    by_year = defaultdict(set)
    for row in rows:
        by_year[row.year].add(row.buyer_id)
    bought = {year: bought_in(ids, year) for year, ids in by_year.items()}
    return [ReservationFacts(r, bought[r.year].get(r.buyer_id, 0)) for r in rows]


def outlet_list_for(user) -> QuerySet[Outlet]:
    """Outlets whose buyer unit is in scope, and those carrying a producer in scope (a
    cooperative's village and chain see where its produce is shown)."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    if scope.everything:
        return Outlet.objects.all()
    carrying = Outlet.producers.through.objects.filter(producer__in=producer_list_for(user)).values(
        "outlet_id"
    )
    return Outlet.objects.filter(Q(buyer__in=buyer_list_for(user)) | Q(pk__in=carrying))


def outlet_get_for(user, pk) -> Outlet:
    return one_or_404(outlet_list_for(user).select_related("buyer", "buyer__organization"), pk)


def outlet_sale_list_for(user) -> QuerySet[OutletSale]:
    """Sales in scope of the outlet's organization, and those of a producer in scope."""
    scope = scope_for(user, Action.VIEW_MEMBERS)
    return OutletSale.objects.filter(
        scope.q("buyer_path") | scope.q("producer__village_path") | scope.q("producer__chain_path")
    )


def outlet_sale_get_for(user, pk) -> OutletSale:
    return one_or_404(
        outlet_sale_list_for(user).select_related("outlet__buyer", "product", "producer"), pk
    )


# --- the season board ------------------------------------------------------------------------


def season_board_for(user, chain_pk, *, year: int, today: dt.date) -> dict:
    """Lots by harvest day and orders by delivery day (kg per product), what the plans ship by
    day, the lots at risk of spoiling in the week from ``today`` (shelf life ending within
    7 days with kg neither planned nor sold), and the outlets' sales of the chain's producers
    by month and product (``outlet_sales_of_chain``, as the season report). A handful of
    grouped queries whatever the size."""
    chain = chain_get_for(user, chain_pk)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    names = dict(Product.objects.values_list("pk", "name"))
    # Grouped by product id (no join), named here.
    supply = defaultdict(dict)
    for day, product, kg in (
        Lot.objects.filter(chain=chain, harvest_on__range=(first, last))
        .order_by()
        .values_list("harvest_on", "product_id")
        .annotate(kg=Sum("kg"))
        .values_list("harvest_on", "product_id", "kg")
    ):
        supply[names[product]][day.isoformat()] = kg
    demand = defaultdict(dict)
    for day, product, kg in (
        Order.objects.filter(chain=chain, deliver_on__range=(first, last))
        .order_by()
        .values_list("deliver_on", "product_id")
        .annotate(kg=Sum("kg"))
        .values_list("deliver_on", "product_id", "kg")
    ):
        demand[names[product]][day.isoformat()] = kg
    planned = {
        day.isoformat(): kg
        for day, kg in Shipment.objects.filter(chain_path=chain.path, ship_on__range=(first, last))
        .order_by()
        .values_list("ship_on")
        .annotate(kg=Sum("kg"))
        .values_list("ship_on", "kg")
    }
    days = sorted(
        {d for series in (*supply.values(), *demand.values()) for d in series} | set(planned)
    )
    # At risk: open lots whose last shipping day falls in [today, today + 6]. The few distinct
    # (harvest day, shelf days) pairs of open lots say which end in the week; only those lots
    # are read.
    week_end = today + dt.timedelta(days=AT_RISK_DAYS - 1)
    open_lots = Lot.objects.filter(
        chain=chain,
        state__in=[LotState.LISTED, LotState.PLANNED, LotState.SHIPPED],
        harvest_on__lte=week_end,
    )
    ending = Q(pk__in=[])
    for harvest, shelf in open_lots.order_by().values_list("harvest_on", "shelf_days").distinct():
        if today <= harvest + dt.timedelta(days=shelf - 1) <= week_end:
            ending |= Q(harvest_on=harvest, shelf_days=shelf)
    near_end = {
        row[0]: row
        for row in open_lots.filter(ending)
        .order_by()
        .values_list(
            "pk", "harvest_on", "shelf_days", "kg", "sold_kg", "product_id", "producer__name"
        )
    }
    promised = dict(
        Shipment.objects.filter(lot_id__in=list(near_end))
        .order_by()
        .values_list("lot_id")
        .annotate(kg=Sum("kg"))
        .values_list("lot_id", "kg")
    )
    at_risk = []
    for pk, harvest, shelf, kg, sold, product, producer in near_end.values():
        free = kg - max(promised.get(pk, 0), sold)
        if free > 0:
            at_risk.append(
                {
                    "lot": pk,
                    "product": names[product],
                    "producer": producer,
                    "last_day": (harvest + dt.timedelta(days=shelf - 1)).isoformat(),
                    "kg": kg,
                    "unplanned_kg": free,
                }
            )
    at_risk.sort(key=lambda r: (r["last_day"], r["lot"]))
    return {
        "chain": {"id": chain.pk, "name": chain.name},
        "year": year,
        "today": today.isoformat(),
        "days": days,
        "supply": {
            name: [series.get(d, 0) for d in days] for name, series in sorted(supply.items())
        },
        "demand": {
            name: [series.get(d, 0) for d in days] for name, series in sorted(demand.items())
        },
        "planned": [planned.get(d, 0) for d in days],
        "at_risk": at_risk,
        # What the outlets sold of the chain's producers, month by month (facts the outlets
        # recorded; the same figures as the season report's).
        "outlet_sales": outlet_sales_of_chain(chain, year).as_board(),
    }


# --- the season report -----------------------------------------------------------------------


@dataclass
class LossRow:
    label: str
    lot_kg: int = 0
    sold_kg: int = 0
    baseline_sold_kg: int = 0
    previous_lot_kg: int = 0
    previous_sold_kg: int = 0

    @property
    def loss(self) -> float | None:
        return (self.lot_kg - self.sold_kg) / self.lot_kg if self.lot_kg else None

    @property
    def baseline_loss(self) -> float | None:
        return (self.lot_kg - self.baseline_sold_kg) / self.lot_kg if self.lot_kg else None

    @property
    def previous_loss(self) -> float | None:
        if not self.previous_lot_kg:
            return None
        return (self.previous_lot_kg - self.previous_sold_kg) / self.previous_lot_kg

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "lot_kg": self.lot_kg,
            "sold_kg": self.sold_kg,
            "loss": self.loss,
            "baseline_loss": self.baseline_loss,
            "previous_loss": self.previous_loss,
        }


@dataclass
class OutletRow:
    """What the outlets sold of one product (or in one month) in the season: facts entered
    by the outlets, beside the lots — not part of the lots' loss (an outlet may sell what it
    got through a shipment, which the lots already count as sold)."""

    label: str
    kg: int = 0
    yuan: object = 0  # Decimal
    outlets: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "kg": self.kg,
            "yuan": _yuan(self.yuan),
            "outlets": len(self.outlets),
        }


@dataclass
class SeasonReport:
    chain: Organization
    year: int
    total: LossRow
    products: list[LossRow] = field(default_factory=list)
    villages: list[LossRow] = field(default_factory=list)
    outlet_total: OutletRow | None = None
    outlet_products: list[OutletRow] = field(default_factory=list)
    outlet_months: list[OutletRow] = field(default_factory=list)


@dataclass
class OutletSales:
    """A chain's outlet sales in a season: the total, by product, by month, and by product and
    month (``cells[(product, "2026-05")]``): what the season report and the season board show,
    from one query (``outlet_sales_of_chain``)."""

    total: OutletRow
    products: list[OutletRow]
    months: list[OutletRow]
    cells: dict[tuple[str, str], OutletRow] = field(default_factory=dict)

    def as_board(self) -> dict:
        """The board's JSON: the months with sales, and per product its kg and yuan in each of
        them (a month it sold nothing: 0), with the totals."""
        months = [m.label for m in self.months]
        none = OutletRow("")

        def cell(row: OutletRow) -> dict:
            return {"kg": row.kg, "yuan": _yuan(row.yuan)}

        return {
            "months": months,
            "products": [
                {
                    **p.as_dict(),
                    "cells": [cell(self.cells.get((p.label, m), none)) for m in months],
                }
                for p in self.products
            ],
            "month_totals": [m.as_dict() for m in self.months],
            "total": self.total.as_dict(),
        }


def _yuan(value) -> str:
    """Yuan as text with its two decimals, whatever the database's sum returned."""
    from decimal import Decimal

    return str(Decimal(value).quantize(Decimal("0.01")))


def outlet_sales_of_chain(chain: Organization, year: int) -> OutletSales:
    """The season's outlet sales of the chain's producers (rows naming a producer of the
    chain), by product, by month and by both, with the total: one grouped query. The chain
    is the caller's to have fetched through the scope (``chain_get_for``)."""
    from decimal import Decimal

    rows = (
        OutletSale.objects.filter(producer__chain=chain, month__year=year)
        .order_by()
        .values_list("product__name", "month", "outlet_id")
        .annotate(kg=Sum("kg"), yuan=Sum("yuan"))
    )
    total = OutletRow(chain.name, yuan=Decimal("0"))
    products: dict[str, OutletRow] = {}
    months: dict[str, OutletRow] = {}
    cells: dict[tuple[str, str], OutletRow] = {}
    for product, month, outlet, kg, yuan in rows:
        label = month.strftime("%Y-%m")
        for row in (
            total,
            products.setdefault(product, OutletRow(product, yuan=Decimal("0"))),
            months.setdefault(label, OutletRow(label, yuan=Decimal("0"))),
            cells.setdefault((product, label), OutletRow(label, yuan=Decimal("0"))),
        ):
            row.kg += kg
            row.yuan += yuan
            row.outlets.add(outlet)
    return OutletSales(
        total=total,
        products=sorted(products.values(), key=lambda r: r.label),
        months=sorted(months.values(), key=lambda r: r.label),
        cells=cells,
    )


def _season(chain: Organization, year: int):
    lots = list(
        Lot.objects.filter(chain=chain, harvest_on__year=year)
        .select_related("producer", "product", "producer__village")
        .order_by("id")
    )
    orders = list(
        Order.objects.filter(chain=chain, deliver_on__year=year)
        .select_related("buyer")
        .order_by("id")
    )
    return lots, orders


def baseline_sold(lots: list[Lot], orders: list[Order], *, year: int) -> dict[int, int]:
    """kg each lot would have sold without coordination: the issue's greedy rule, over the
    season's lots and orders (the default cost and local radius of a plan)."""
    from tongchou.linkage.services import DEFAULT_COST_PER_KG_KM, DEFAULT_LOCAL_KM, scenario_of

    start = dt.date(year, 1, 1)
    days = (dt.date(year, 12, 31) - start).days + 1
    scenario = scenario_of(
        lots, orders, start=start, days=days, cost=DEFAULT_COST_PER_KG_KM, local_km=DEFAULT_LOCAL_KM
    )
    sold: dict[int, int] = defaultdict(int)
    for i, _j, kg in planner.uncoordinated(scenario):
        sold[scenario.lots[i].id] += kg
    return sold


def season_report_for(user, chain_pk, *, year: int) -> SeasonReport:
    """The season's unsold loss (lot kg not sold ÷ lot kg; an open lot counts as unsold so far)
    beside the uncoordinated baseline for the same lots and orders and beside the previous
    season, per product, per village and for the chain."""
    chain = chain_get_for(user, chain_pk)
    lots, orders = _season(chain, year)
    base = baseline_sold(lots, orders, year=year)
    previous_lots, _previous_orders = _season(chain, year - 1)
    total = LossRow(chain.name)
    products: dict[str, LossRow] = {}
    villages: dict[str, LossRow] = {}
    for lot in lots:
        rows = (
            total,
            products.setdefault(lot.product.name, LossRow(lot.product.name)),
            villages.setdefault(lot.producer.village.name, LossRow(lot.producer.village.name)),
        )
        for row in rows:
            row.lot_kg += lot.kg
            row.sold_kg += lot.sold_kg
            row.baseline_sold_kg += base.get(lot.pk, 0)
    for lot in previous_lots:
        rows = (
            total,
            products.setdefault(lot.product.name, LossRow(lot.product.name)),
            villages.setdefault(lot.producer.village.name, LossRow(lot.producer.village.name)),
        )
        for row in rows:
            row.previous_lot_kg += lot.kg
            row.previous_sold_kg += lot.sold_kg
    outlets = outlet_sales_of_chain(chain, year)
    return SeasonReport(
        chain=chain,
        year=year,
        total=total,
        products=sorted(products.values(), key=lambda r: r.label),
        villages=sorted(villages.values(), key=lambda r: r.label),
        outlet_total=outlets.total,
        outlet_products=outlets.products,
        outlet_months=outlets.months,
    )
