"""The season board of a chain with many lots, timed (bench/linkage.py; needs a fresh, empty
database configured, e.g. SQLite under var/bench/).

Builds one industry chain with 60 producers in 30 villages, ``lots`` lots over a season
(April–October), three times as many orders from 200 buyers, and shipments for a third of the
lots (bulk inserts); then times ``season_board_for`` and the board page (django.test.Client,
middleware and template included) as a superuser: median of ``repeat`` runs after 2 warm-ups.
"""

import datetime as dt
import random
import statistics
import time
from decimal import Decimal


def build(lots: int, seed: int = 5):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tongchou.core import tree
    from tongchou.linkage.models import Buyer, Lot, Order, Plan, Producer, Product, Shipment
    from tongchou.organizations.models import Organization, OrgKind, OrgType
    from tongchou.regions.models import Region, RegionLevel

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    region = Region.objects.create(code="640200000000", name="石嘴山市", level=RegionLevel.CITY)

    def org(name, code, kind, parent=None, **kw):
        o = Organization.objects.create(
            name=name,
            code=code,
            kind=kind,
            region=region,
            parent=parent,
            urban_rural="urban",
            path=f"tmp{code}",
            **kw,
        )
        o.path = tree.child_path(parent.path if parent else "", o.pk)
        o.depth = tree.depth(o.path)
        o.save(update_fields=["path", "depth"])
        return o

    city = org("石嘴山市委", "B-CITY", OrgKind.COMMITTEE)
    chain = org(
        "农产品产销产业链党委",
        "B-CHAIN",
        OrgKind.COMMITTEE,
        city,
        org_type=OrgType.INDUSTRY_CHAIN,
        chain_links=["growing", "sales"],
    )
    villages = [org(f"村{i}", f"B-V{i}", OrgKind.BRANCH, city) for i in range(30)]
    producers = Producer.objects.bulk_create(
        Producer(
            name=f"合作社{i}",
            kind="cooperative",
            village=villages[i % 30],
            chain=chain,
            village_path=villages[i % 30].path,
            chain_path=chain.path,
            lat=38.9 + rng.random() * 0.3,
            lon=106.4 + rng.random() * 0.3,
        )
        for i in range(60)
    )
    buyers = Buyer.objects.bulk_create(
        Buyer(
            name=f"食堂{i}",
            kind="government_canteen",
            organization=city,
            org_path=city.path,
            lat=39.0 + rng.random() * 0.2,
            lon=106.38 + rng.random() * 0.2,
            max_km=60,
        )
        for i in range(200)
    )
    products = list(Product.objects.all())
    year = dt.date.today().year
    first = dt.date(year, 4, 1)
    lot_rows = []
    for _ in range(lots):
        producer = rng.choice(producers)
        product = rng.choice(products)
        lot_rows.append(
            Lot(
                producer=producer,
                product=product,
                kg=rng.randint(200, 5000),
                harvest_on=first + dt.timedelta(days=rng.randint(0, 210)),
                shelf_days=product.shelf_days,
                price=Decimal("2.50"),
                chain=chain,
                village_path=producer.village_path,
                chain_path=chain.path,
            )
        )
    lot_rows = Lot.objects.bulk_create(lot_rows, batch_size=2000)
    orders = Order.objects.bulk_create(
        (
            Order(
                buyer=(b := rng.choice(buyers)),
                chain=chain,
                product=rng.choice(products),
                kg=rng.randint(50, 800),
                deliver_on=first + dt.timedelta(days=rng.randint(0, 210)),
                max_price=Decimal("3.50"),
                lat=b.lat,
                lon=b.lon,
                buyer_path=b.org_path,
                chain_path=chain.path,
            )
            for _ in range(lots * 3)
        ),
        batch_size=2000,
    )
    plan = Plan.objects.create(
        chain=chain,
        chain_path=chain.path,
        start=first,
        days=210,
        cost_per_kg_km=Decimal("0.004"),
        local_km=Decimal("8"),
    )
    Shipment.objects.bulk_create(
        (
            Shipment(
                plan=plan,
                lot=lot,
                order=(o := rng.choice(orders)),
                kg=min(lot.kg, o.kg),
                km=10.0,
                delivered_price=Decimal("2.60"),
                ship_on=lot.harvest_on,
                chain_path=chain.path,
                village_path=lot.village_path,
                buyer_path=o.buyer_path,
            )
            for lot in lot_rows[::3]
        ),
        batch_size=2000,
    )
    user = get_user_model().objects.create(username="bench-root", is_superuser=True)
    return chain, user, year


def run(*, lots: int = 5000, repeat: int = 9) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tongchou.linkage import selectors

    chain, user, year = build(lots)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    today = dt.date(year, 7, 15)

    def selector():
        return selectors.season_board_for(user, chain.pk, year=year, today=today)

    client = Client()
    client.force_login(user)
    url = reverse("linkage:board", args=[chain.pk]) + f"?year={year}"

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def median_ms(fn) -> float:
        for _ in range(2):
            fn()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    return {
        "lots": lots,
        "repeat": repeat,
        "selector_ms": median_ms(selector),
        "median_ms": median_ms(page),
    }
