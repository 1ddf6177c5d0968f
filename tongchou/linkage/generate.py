"""Generated supply–sales scenarios on a Shizuishan-like map (for the bench and tests).

Producers sit in villages spread over the irrigated plain of 平罗/惠农/大武口 and the edge of
兴庆/贺兰 (银川); buyers sit in towns: canteens, schools, hospitals and community outlets in
大武口 and 惠农 and the 平罗 county seat, supermarkets and processors in 银川 and 平罗. A buyer sees
for itself only the lots of its own neighbourhood (``local_km`` 8 km: the villages a canteen's
buyer knows), while it accepts produce from 40-150 km (``max_km``) when someone arranges it:
the gap the coordinator closes. Supply roughly matches demand in kg, but harvests come in waves
and orders follow the week, so timing and place decide what sells.

Pure Python (random with a seed): the same size and seed give the same scenario.
"""

from __future__ import annotations

import math
import random

# name, centre (lat, lon), spread (km), share of villages
PLAINS = [
    ("平罗", (38.90, 106.54), 14.0, 0.40),
    ("惠农", (39.18, 106.72), 10.0, 0.20),
    ("大武口", (39.02, 106.40), 6.0, 0.08),
    ("贺兰", (38.60, 106.35), 12.0, 0.20),
    ("兴庆", (38.45, 106.40), 9.0, 0.12),
]
# name, centre, spread (km), share of buyers, kinds
TOWNS = [
    ("大武口", (39.015, 106.385), 3.0, 0.30, ("canteen", "school", "hospital", "outlet")),
    ("惠农", (39.235, 106.775), 2.5, 0.18, ("canteen", "school", "outlet")),
    ("平罗", (38.905, 106.545), 2.0, 0.12, ("canteen", "school", "processor")),
    ("银川", (38.487, 106.232), 5.0, 0.40, ("supermarket", "canteen", "hospital", "outlet")),
]
MAX_KM = {
    "canteen": (40, 80),
    "school": (30, 60),
    "hospital": (40, 80),
    "outlet": (30, 70),
    "supermarket": (80, 150),
    "processor": (60, 120),
}
# product, farm-gate price (yuan/kg), shelf days (min, max), season share, lot kg, order kg
PRODUCTS = [
    ("番茄", 2.4, (5, 9), 0.22, (800, 4000), (60, 600)),
    ("辣椒", 3.6, (7, 12), 0.18, (500, 3000), (40, 400)),
    ("西瓜", 1.6, (10, 18), 0.16, (2000, 8000), (100, 1000)),
    ("枸杞", 28.0, (3, 5), 0.12, (200, 1200), (20, 150)),
    ("大米", 5.2, (20, 40), 0.14, (1000, 6000), (100, 800)),
    ("冷鲜滩羊肉", 68.0, (3, 6), 0.18, (150, 800), (20, 120)),
]
COST_PER_KG_KM = 0.004
LOCAL_KM = 8.0

SIZES = {
    "small": {"lots": 100, "orders": 400, "villages": 30, "buyers": 40, "days": 30},
    "medium": {"lots": 1000, "orders": 4000, "villages": 120, "buyers": 260, "days": 60},
    "large": {"lots": 8000, "orders": 30000, "villages": 400, "buyers": 1200, "days": 150},
}


def _offset(rng: random.Random, centre: tuple[float, float], spread_km: float):
    lat, lon = centre
    r = spread_km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    dlat = (r * math.cos(theta)) / 111.2
    dlon = (r * math.sin(theta)) / (111.2 * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _pick(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def scenario(size: str = "medium", *, seed: int = 10, **overrides) -> dict:
    """A ``tongchou-linkage/1`` scenario (a JSON-ready dict)."""
    spec = {**SIZES[size], **overrides}
    rng = random.Random(f"linkage-{size}-{seed}")
    days = spec["days"]
    villages = []
    for n in range(spec["villages"]):
        plain = _pick(rng, PLAINS, [p[3] for p in PLAINS])
        villages.append((f"V{n + 1}", _offset(rng, plain[1], plain[2])))
    buyers = []
    kinds = {}
    for n in range(spec["buyers"]):
        town = _pick(rng, TOWNS, [t[3] for t in TOWNS])
        kind = rng.choice(town[4])
        low, high = MAX_KM[kind]
        lat, lon = _offset(rng, town[1], town[2])
        ident = f"B{n + 1}"
        kinds[ident] = kind
        buyers.append({"id": ident, "lat": lat, "lon": lon, "max_km": rng.randint(low, high)})

    shares = [p[3] for p in PRODUCTS]
    # Harvest waves: each product ripens in two or three waves across the horizon.
    waves = {
        p[0]: [rng.uniform(0.1, 0.9) * days for _ in range(rng.randint(2, 3))] for p in PRODUCTS
    }
    lots = []
    for n in range(spec["lots"]):
        product = _pick(rng, PRODUCTS, shares)
        name, price, shelf, _share, lot_kg, _order_kg = product
        village = rng.choice(villages)
        lat, lon = _offset(rng, village[1], 1.5)
        centre = rng.choice(waves[name])
        day = int(min(days - 1, max(0, rng.gauss(centre, days / 12))))
        lots.append(
            {
                "id": f"L{n + 1}",
                "product": name,
                "kg": rng.randint(*lot_kg),
                "harvest_day": day,
                "shelf_days": rng.randint(*shelf),
                "lat": lat,
                "lon": lon,
                "price": round(price * rng.uniform(0.85, 1.15), 2),
            }
        )
    orders = []
    supply = {p[0]: 0 for p in PRODUCTS}
    for lot in lots:
        supply[lot["product"]] += lot["kg"]
    # Order kg per product follow the supply (demand ≈ 1.05 × supply), days follow the waves a
    # little late (buyers order what they expect to be on the market).
    per_product = {p[0]: 0 for p in PRODUCTS}
    for n in range(spec["orders"]):
        product = _pick(rng, PRODUCTS, [supply[p[0]] / p[5][1] for p in PRODUCTS])
        name, price, shelf, _share, _lot_kg, order_kg = product
        buyer = rng.choice(buyers)
        centre = rng.choice(waves[name]) + shelf[0] / 2
        day = int(min(days - 1, max(0, rng.gauss(centre, days / 10))))
        kg = rng.randint(*order_kg)
        per_product[name] += kg
        markup = 1.25 if kinds[buyer["id"]] != "processor" else 1.05
        orders.append(
            {
                "id": f"O{n + 1}",
                "buyer": buyer["id"],
                "product": name,
                "kg": kg,
                "day": day,
                "max_price": round(price * rng.uniform(1.0, markup) + 0.15, 2),
            }
        )
    # Scale each product's orders so that demand is about 1.05 × supply in kg.
    for order in orders:
        factor = 1.05 * supply[order["product"]] / max(1, per_product[order["product"]])
        order["kg"] = max(1, round(order["kg"] * factor))
    return {
        "format": "tongchou-linkage/1",
        "start_date": "2026-06-01",
        "days": days,
        "cost_per_kg_km": COST_PER_KG_KM,
        "local_km": LOCAL_KM,
        "lots": lots,
        "buyers": buyers,
        "orders": orders,
    }
