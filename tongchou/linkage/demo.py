"""Shizuishan demo data for supply–sales linkage (产销对接).

The foundation demo's industry-chain organization (平罗县设施蔬菜产业链党总支, under 平罗县委:
growing, processing, sales) coordinates cooperatives, family farms and village collectives of
平罗, 惠农 and 大武口 villages growing Shizuishan's real produce — fresh wolfberry (枸杞),
tomatoes, peppers, water- and muskmelons, rice and chilled Tan mutton (冷鲜滩羊肉) — and sells
to 大武口 and 惠农 canteens, schools, hospitals and rural produce outlets (乡村特产展销点) in
city communities, to 银川
supermarkets and to a 平罗 processor.

Two seasons: last year's, sold the old way (every buyer on its own, the uncoordinated baseline,
written as that season's outcome), and this year's (last year's when run before November),
planned week by week through the services by the chain's secretary, confirmed by both sides,
delivered and accepted (a few kg turned away), and lots closed at the end of their shelf life.
A few lots of mutton and rice harvested in the last days and orders for the coming week stay
open, so the season board has something at risk this week.

Deterministic for a seed and a day; idempotent: nothing happens when producers exist. Logins:
``chain_secretary`` (the chain's secretary: plans, the board and the report) and
``coop_secretary`` (the secretary of the first cooperative's village); the demo password.
"""

import datetime as dt
import math
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from tongchou.linkage import planner, services
from tongchou.linkage.models import (
    Buyer,
    Lot,
    LotState,
    Order,
    OrderState,
    Producer,
    Product,
    Shipment,
    ShipmentState,
)
from tongchou.organizations.models import (
    Organization,
    OrgKind,
    OrgStatus,
    OrgType,
    Role,
    RoleKind,
)
from tongchou.regions.models import UrbanRural

ROOT_CODE = "6402"
# county code, centre (lat, lon), spread km, cooperatives
COUNTIES = [
    ("640221", (38.905, 106.545), 14.0, 14),  # 平罗县
    ("640205", (39.180, 106.720), 9.0, 7),  # 惠农区
    ("640202", (39.050, 106.400), 5.0, 3),  # 大武口区
]
SUFFIX = {
    "cooperative": "合作社",
    "family_farm": "家庭农场",
    "village_collective": "村集体经济合作社",
}
# product, price (yuan/kg), harvest months, lots a season, lot kg range, share of producers
PRODUCE = [
    ("枸杞", 28.0, (6, 8), 18, (200, 800)),
    ("番茄", 2.4, (6, 9), 40, (800, 3000)),
    ("辣椒", 3.6, (7, 9), 30, (500, 2000)),
    ("西瓜", 1.6, (7, 8), 18, (2000, 6000)),
    ("甜瓜", 2.8, (7, 8), 14, (800, 3000)),
    ("大米", 5.2, (10, 10), 10, (2000, 8000)),
    ("冷鲜滩羊肉", 68.0, (5, 10), 24, (150, 600)),
]
BUYERS = [
    # name, kind, town, (lat, lon), max_km, products
    (
        "大武口区机关食堂",
        "government_canteen",
        "640202",
        (39.015, 106.385),
        60,
        "番茄 辣椒 冷鲜滩羊肉 大米",
    ),
    ("大武口区第一小学食堂", "school", "640202", (39.021, 106.392), 50, "番茄 辣椒 西瓜 大米"),
    (
        "石嘴山市第一人民医院食堂",
        "hospital",
        "640202",
        (39.008, 106.379),
        60,
        "番茄 甜瓜 冷鲜滩羊肉 大米",
    ),
    (
        "长胜街道乡村特产展销点",
        "outlet",
        "640202",
        (39.012, 106.398),
        40,
        "番茄 辣椒 西瓜 甜瓜 枸杞",
    ),
    ("朝阳街道乡村特产展销点", "outlet", "640202", (39.030, 106.372), 40, "番茄 辣椒 西瓜 枸杞"),
    (
        "石嘴山市钢铁企业职工食堂",
        "enterprise_canteen",
        "640202",
        (39.041, 106.361),
        60,
        "番茄 辣椒 冷鲜滩羊肉",
    ),
    (
        "惠农区机关食堂",
        "government_canteen",
        "640205",
        (39.235, 106.775),
        60,
        "番茄 辣椒 冷鲜滩羊肉 大米",
    ),
    ("惠农区第一中学食堂", "school", "640205", (39.228, 106.768), 50, "番茄 西瓜 大米"),
    ("惠农区人民医院食堂", "hospital", "640205", (39.240, 106.781), 60, "番茄 甜瓜 冷鲜滩羊肉"),
    ("北街社区乡村特产展销点", "outlet", "640205", (39.238, 106.770), 40, "番茄 辣椒 西瓜 枸杞"),
    (
        "银川市兴庆区连锁超市配送中心",
        "supermarket",
        "chain",
        (38.487, 106.232),
        150,
        "枸杞 番茄 辣椒 西瓜 甜瓜 冷鲜滩羊肉 大米",
    ),
    (
        "银川市金凤区生鲜超市",
        "supermarket",
        "chain",
        (38.503, 106.185),
        150,
        "枸杞 番茄 西瓜 甜瓜 冷鲜滩羊肉",
    ),
    ("平罗县枸杞深加工企业", "processor", "640221", (38.912, 106.560), 80, "枸杞"),
]
COST = services.DEFAULT_COST_PER_KG_KM
LOCAL = services.DEFAULT_LOCAL_KM


def _point(rng: random.Random, centre, spread_km: float) -> tuple[float, float]:
    r = spread_km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = centre[0] + r * math.cos(theta) / 111.2
    lon = centre[1] + r * math.sin(theta) / (111.2 * math.cos(math.radians(centre[0])))
    return round(lat, 5), round(lon, 5)


def _day_in(rng: random.Random, year: int, months: tuple[int, int]) -> dt.date:
    first = dt.date(year, months[0], 1)
    last = dt.date(year, months[1] + 1, 1) - dt.timedelta(days=1)
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def season_of(today: dt.date) -> int:
    """The season shown: this year's once its harvests are in (November on), else last year's."""
    return today.year if today.month >= 11 else today.year - 1


def populate(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    if Producer.objects.exists():
        return {}
    User = get_user_model()
    actor = User.objects.filter(is_superuser=True, username="admin").first()
    root = Organization.objects.filter(code=ROOT_CODE, parent=None).first()
    if actor is None or root is None:
        return {}  # no foundation demo here
    # The foundation demo's industry-chain organization coordinates (平罗县设施蔬菜产业链党总支:
    # growing, processing, sales).
    chain = (
        Organization.objects.filter(org_type=OrgType.INDUSTRY_CHAIN, status=OrgStatus.ACTIVE)
        .order_by("code")
        .first()
    )
    if chain is None:
        return {}
    products = {p.name: p for p in Product.objects.all()}
    producers = _producers(rng, actor, chain)
    buyers = _buyers(actor, chain, root)
    season = season_of(today)
    previous = _previous_season(rng, actor, chain, producers, buyers, products, season - 1)
    lots, orders = _season_rows(rng, actor, chain, producers, buyers, products, season)
    shipments = _plan_the_season(rng, actor, chain, season, today)
    open_lots = _this_week(rng, actor, chain, producers, buyers, products, today)
    _logins(chain, producers[0].village)
    for buyer in buyers[:6]:
        services.reservation_set(
            actor=actor,
            buyer=buyer,
            year=season,
            food_budget=Decimal(rng.randrange(400_000, 1_200_000, 10_000)),
            reserved=Decimal(rng.randrange(80_000, 200_000, 5_000)),
        )
    return {
        "生产主体": len(producers),
        "采购单位": len(buyers),
        "供应批次": lots + previous + open_lots,
        "采购订单": orders,
        "发运": shipments,
    }


def _producers(rng: random.Random, actor, chain) -> list[Producer]:
    producers = []
    for county, centre, spread, count in COUNTIES:
        villages = list(
            Organization.objects.filter(
                kind=OrgKind.BRANCH,
                org_type=OrgType.STANDARD,
                status=OrgStatus.ACTIVE,
                urban_rural=UrbanRural.RURAL,
                region__code__startswith=county,
            ).order_by("code")[: count * 3]
        )
        for village in villages[::3][:count]:
            kind = rng.choice(["cooperative", "cooperative", "family_farm", "village_collective"])
            base = village.region.name.replace("村民委员会", "").replace("村委会", "")
            lat, lon = _point(rng, centre, spread)
            producers.append(
                services.producer_create(
                    actor=actor,
                    name=f"{base}{SUFFIX[kind]}",
                    kind=kind,
                    village=village,
                    chain=chain,
                    lat=lat,
                    lon=lon,
                )
            )
    return producers


def _buyers(actor, chain, root) -> list[Buyer]:
    counties = {o.region.code[:6]: o for o in Organization.objects.filter(parent=root)}
    buyers = []
    for name, kind, town, (lat, lon), max_km, _products in BUYERS:
        if town == "chain":
            org = chain
        else:
            county = counties.get(town)
            urban = (
                Organization.objects.filter(
                    path__startswith=county.path, urban_rural=UrbanRural.URBAN, kind=OrgKind.BRANCH
                )
                .order_by("code")
                .first()
                if county
                else None
            )
            org = urban or county or chain
        buyers.append(
            services.buyer_create(
                actor=actor, name=name, kind=kind, organization=org, lat=lat, lon=lon, max_km=max_km
            )
        )
    return buyers


def _lots(rng, actor, producers, products, year, months_override=None) -> list[Lot]:
    lots = []
    for name, price, months, count, (low, high) in PRODUCE:
        growers = rng.sample(producers, min(len(producers), max(3, len(producers) // 3)))
        for _ in range(count):
            grower = rng.choice(growers)
            harvest = _day_in(rng, year, months_override or months)
            lots.append(
                services.lot_create(
                    actor=actor,
                    producer=grower,
                    product=products[name],
                    kg=rng.randrange(low, high, 10),
                    harvest_on=harvest,
                    price=Decimal(str(round(price * rng.uniform(0.9, 1.1), 2))),
                    grade=(products[name].grades or [""])[0],
                )
            )
    return lots


def _orders(rng, actor, chain, buyers, products, year, lots) -> list[Order]:
    """Orders follow the harvests: per product, about as many kg as harvested, spread over the
    buyers that take the product, on days a little after the harvests."""
    orders = []
    wanted = {b.name: set(spec[5].split()) for b, spec in zip(buyers, BUYERS, strict=True)}
    for name, price, _months, _count, _kg in PRODUCE:
        supply = [lot for lot in lots if lot.product.name == name]
        takers = [b for b in buyers if name in wanted[b.name]]
        if not supply or not takers:
            continue
        total = sum(lot.kg for lot in supply) * rng.uniform(0.95, 1.1)
        pieces = max(len(supply) * 2, 4)
        for _ in range(pieces):
            lot = rng.choice(supply)
            day = lot.harvest_on + dt.timedelta(days=rng.randint(0, max(1, lot.shelf_days - 1)))
            if day.year != year:
                continue
            buyer = rng.choice(takers)
            kg = max(10, int(total / pieces * rng.uniform(0.5, 1.5)) // 10 * 10)
            markup = 1.08 if buyer.kind == "processor" else rng.uniform(1.15, 1.45)
            orders.append(
                services.order_create(
                    actor=actor,
                    buyer=buyer,
                    chain=chain,
                    product=products[name],
                    kg=kg,
                    deliver_on=day,
                    max_price=Decimal(str(round(price * markup + 0.2, 2))),
                )
            )
    return orders


def _previous_season(rng, actor, chain, producers, buyers, products, year) -> int:
    """Last season, sold the old way: the uncoordinated baseline is what happened."""
    lots = _lots(rng, actor, producers, products, year)
    orders = _orders(rng, actor, chain, buyers, products, year, lots)
    start = dt.date(year, 1, 1)
    days = (dt.date(year, 12, 31) - start).days + 1
    for lot in lots:
        lot.producer = next(p for p in producers if p.pk == lot.producer_id)
    for order in orders:
        order.buyer = next(b for b in buyers if b.pk == order.buyer_id)
    scenario = services.scenario_of(lots, orders, start=start, days=days, cost=COST, local_km=LOCAL)
    sold: dict[int, int] = {}
    for i, _j, kg in planner.uncoordinated(scenario):
        sold[scenario.lots[i].id] = sold.get(scenario.lots[i].id, 0) + kg
    for lot in lots:
        kg = sold.get(lot.pk, 0)
        state = LotState.SPOILED if kg < lot.kg else LotState.SOLD
        Lot.objects.filter(pk=lot.pk).update(sold_kg=kg, spoiled_kg=lot.kg - kg, state=state)
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(state=OrderState.CLOSED)
    return len(lots)


def _season_rows(rng, actor, chain, producers, buyers, products, year) -> tuple[int, int]:
    lots = _lots(rng, actor, producers, products, year)
    orders = _orders(rng, actor, chain, buyers, products, year, lots)
    return len(lots), len(orders)


def _plan_the_season(rng, actor, chain, year, today) -> int:
    """Weekly plans from May to the end of the year (or last week), everything confirmed by
    both sides; what was due before today delivered and mostly accepted; then every lot past
    its shelf life is closed."""
    start = dt.date(year, 5, 1)
    end = min(dt.date(year, 12, 31), today - dt.timedelta(days=7))
    count = 0
    while start <= end:
        plan = services.plan_create(actor=actor, chain=chain, start=start, days=7)
        for shipment in plan.shipments.order_by("id"):
            services.shipment_confirm(actor=actor, shipment=shipment, side="producer")
            services.shipment_confirm(actor=actor, shipment=shipment, side="buyer")
            if shipment.ship_on >= today:
                continue
            delivered = shipment.kg
            sold = delivered if rng.random() < 0.9 else int(delivered * rng.uniform(0.85, 0.98))
            services.shipment_record_outcome(
                actor=actor, shipment=shipment, delivered_kg=delivered, sold_kg=sold
            )
            count += 1
        start += dt.timedelta(days=7)
    services.lots_close_expired(actor=actor, chain=chain, today=min(dt.date(year + 1, 1, 1), today))
    # Orders of past days the plans could not serve are closed.
    Order.objects.filter(
        chain=chain, deliver_on__year=year, deliver_on__lt=today, state=OrderState.OPEN
    ).update(state=OrderState.CLOSED)
    return count


def _this_week(rng, actor, chain, producers, buyers, products, today) -> int:
    """Mutton and rice harvested in the last days, orders for the coming week: still open."""
    count = 0
    mutton, rice = products["冷鲜滩羊肉"], products["大米"]
    for k in range(4):
        services.lot_create(
            actor=actor,
            producer=producers[k % len(producers)],
            product=mutton,
            kg=rng.randrange(200, 500, 10),
            harvest_on=today - dt.timedelta(days=k % 3),
            price=Decimal("66.00"),
        )
        count += 1
    services.lot_create(
        actor=actor,
        producer=producers[-1],
        product=rice,
        kg=5000,
        harvest_on=today - dt.timedelta(days=40),
        price=Decimal("5.20"),
    )
    for buyer in buyers[:3]:
        services.order_create(
            actor=actor,
            buyer=buyer,
            chain=chain,
            product=mutton,
            kg=120,
            deliver_on=today + dt.timedelta(days=2),
            max_price=Decimal("85.00"),
        )
    return count + 1


def _logins(chain, village) -> None:
    """The chain's secretary and the first cooperative's village secretary, with the demo
    password (copied from the demo's other logins)."""
    User = get_user_model()
    template = (
        User.objects.filter(username="village_secretary").first()
        or User.objects.filter(username="admin").first()
    )
    for username, org in (("chain_secretary", chain), ("coop_secretary", village)):
        user, _created = User.objects.get_or_create(
            username=username, defaults={"password": template.password}
        )
        Role.objects.get_or_create(user=user, organization=org, kind=RoleKind.SECRETARY)


def shipped_share() -> float:
    """Share of this demo's shipments delivered (for the demo's test)."""
    total = Shipment.objects.count()
    done = Shipment.objects.filter(state=ShipmentState.DELIVERED).count()
    return done / total if total else 0.0


# --- rural produce outlets (乡村特产展销点) -------------------------------------------------------

OUTLET_HOURS = [["09:00", "20:00"]] * 6 + [["09:00", "18:00"]]
OUTLET_MONTHS = 12
OUTLET_MARKUP = 1.6  # shelf price over the farm-gate price


def populate_outlets(*, today: dt.date, rng: random.Random) -> dict[str, int]:
    """The outlets of the demo (the outlet-kind buyers above, in city communities) get their
    address, opening hours and what they carry — a few of the chain's cooperatives and the
    products they buy — and a year of monthly sales through the services. Idempotent: nothing
    happens when any outlet sale exists (or before the linkage demo is there)."""
    from tongchou.linkage.models import Outlet, OutletSale

    if OutletSale.objects.exists() or not Producer.objects.exists():
        return {}
    actor = get_user_model().objects.filter(is_superuser=True, username="admin").first()
    if actor is None:
        return {}
    wanted = {name: products.split() for name, kind, *_rest, products in BUYERS if kind == "outlet"}
    prices = {name: price for name, price, *_rest in PRODUCE}
    catalogue = {p.name: p for p in Product.objects.all()}
    producers = list(Producer.objects.filter(kind="cooperative").order_by("pk"))
    outlets = list(Outlet.objects.select_related("buyer").order_by("buyer__name", "pk"))
    sales = 0
    first = today.replace(day=1)
    months = []
    for _ in range(OUTLET_MONTHS):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    for index, outlet in enumerate(outlets):
        buyer = outlet.buyer
        names = [n for n in wanted.get(buyer.name, ["枸杞", "大米"]) if n in catalogue]
        carried = rng.sample(producers, min(len(producers), 4)) if producers else []
        outlet = services.outlet_update(
            actor=actor,
            outlet=outlet,
            name=buyer.name,
            organization=buyer.organization,
            lat=buyer.lat,
            lon=buyer.lon,
            max_km=buyer.max_km,
            address=f"{buyer.organization.name.removesuffix('党支部')}便民服务中心旁{index + 1}号",
            opening_hours=OUTLET_HOURS,
            producers=carried,
            products=[catalogue[n] for n in names],
        )
        # Each product from one of the cooperatives carried (one row a month), or unnamed.
        source = {
            n: (rng.choice(carried) if carried and rng.random() < 0.8 else None) for n in names
        }
        for month in months:
            for name in names:
                kg = rng.randint(80, 900)
                price = prices.get(name, 5.0) * OUTLET_MARKUP
                services.outlet_sale_record(
                    actor=actor,
                    outlet=outlet,
                    month=month,
                    product=catalogue[name],
                    producer=source[name],
                    kg=kg,
                    yuan=Decimal(str(round(kg * price, 2))),
                    today=today,
                )
                sales += 1
    return {"乡村特产展销点": len(outlets), "展销点月度销售": sales}
