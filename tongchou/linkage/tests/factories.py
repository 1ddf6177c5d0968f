"""Linkage rows written straight to the tables (services are tested on their own), for the
permission matrix and the schema test: per side of tests/world.py an industry chain under the
county, a cooperative of the village, a canteen looked after by the street, a lot, an order, a
plan with one proposed shipment and a 消费帮扶 reservation."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from tongchou.core.tests.factories import OrganizationFactory
from tongchou.linkage.models import (
    Buyer,
    Lot,
    Order,
    Outlet,
    OutletSale,
    Plan,
    Producer,
    Product,
    Reservation,
    Shipment,
)
from tongchou.organizations.models import OrgKind, OrgType


def make_rows(side, label: str = "") -> SimpleNamespace:
    chain = OrganizationFactory(
        name=f"{label}蔬菜产业链党委",
        kind=OrgKind.COMMITTEE,
        org_type=OrgType.INDUSTRY_CHAIN,
        chain_links=["growing", "sales"],
        parent=side.county,
        region=side.county.region,
    )
    tomato = Product.objects.get(name="番茄")
    producer = Producer.objects.create(
        name=f"{label}番茄合作社",
        kind="cooperative",
        village=side.village,
        chain=chain,
        village_path=side.village.path,
        chain_path=chain.path,
        lat=39.02,
        lon=106.42,
    )
    today = dt.date.today()
    lot = Lot.objects.create(
        producer=producer,
        product=tomato,
        kg=500,
        harvest_on=today,
        shelf_days=7,
        price=Decimal("2.40"),
        chain=chain,
        village_path=side.village.path,
        chain_path=chain.path,
    )
    buyer = Buyer.objects.create(
        name=f"{label}机关食堂",
        kind="government_canteen",
        organization=side.street,
        org_path=side.street.path,
        lat=39.015,
        lon=106.385,
        max_km=60,
    )
    order = Order.objects.create(
        buyer=buyer,
        chain=chain,
        product=tomato,
        kg=300,
        deliver_on=today + dt.timedelta(days=1),
        max_price=Decimal("3.20"),
        lat=buyer.lat,
        lon=buyer.lon,
        buyer_path=buyer.org_path,
        chain_path=chain.path,
    )
    plan = Plan.objects.create(
        chain=chain,
        chain_path=chain.path,
        start=today,
        days=7,
        cost_per_kg_km=Decimal("0.004"),
        local_km=Decimal("8"),
        lot_kg=500,
        shipped_kg=300,
        loss=0.4,
        baseline_loss=0.4,
        unshipped=[{"lot": lot.pk, "kg": 200, "reason": "demand_met"}],
    )
    shipment = Shipment.objects.create(
        plan=plan,
        lot=lot,
        order=order,
        kg=300,
        km=3.1,
        delivered_price=Decimal("2.41"),
        ship_on=order.deliver_on,
        chain_path=chain.path,
        village_path=lot.village_path,
        buyer_path=order.buyer_path,
    )
    reservation = Reservation.objects.create(
        buyer=buyer,
        year=today.year,
        food_budget=Decimal("100000"),
        reserved=Decimal("30000"),
        buyer_path=buyer.org_path,
    )
    # A rural produce outlet (乡村特产展销点) looked after by the street, carrying the
    # cooperative's tomatoes, with this month's sales.
    outlet_buyer = Buyer.objects.create(
        name=f"{label}乡村特产展销点",
        kind="outlet",
        organization=side.street,
        org_path=side.street.path,
        lat=39.012,
        lon=106.398,
        max_km=40,
    )
    outlet = Outlet.objects.create(
        buyer=outlet_buyer, address="长胜街道1号", opening_hours=[["09:00", "20:00"]] * 7
    )
    outlet.producers.add(producer)
    outlet.products.add(tomato)
    outlet_sale = OutletSale.objects.create(
        outlet=outlet,
        month=today.replace(day=1),
        product=tomato,
        producer=producer,
        kg=120,
        yuan=Decimal("480.00"),
        buyer_path=outlet_buyer.org_path,
    )
    return SimpleNamespace(**locals())
