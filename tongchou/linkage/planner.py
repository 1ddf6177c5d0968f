"""The supply–sales planner (产销对接): pure Python + numpy + OR-Tools, no Django.

A scenario is a set of produce lots, buyers and orders over a horizon of ``days`` days (day 0 is
``start_date``). A lot can ship on days ``harvest_day … harvest_day + shelf_days − 1``; a
shipment lot → order needs

* the same product,
* the order's day inside the lot's window,
* the great-circle distance (haversine, sphere of radius 6371.0 km) between the lot and the
  order's buyer within the buyer's ``max_km``,
* ``lot price + cost_per_kg_km × km ≤ the order's max_price``.

The plan maximizes the shipped kg (the least unsold loss), then minimizes the transport cost
``Σ kg × km × cost_per_kg_km``. It is exact: one min-cost max-flow (OR-Tools
``SimpleMinCostFlow.solve_max_flow_with_min_cost``: a maximum flow first, then the cheapest
flow of that value — two phases, so no big-M has to dominate the costs). kg are integers, so the
shipped kg is the true optimum. Since ``cost_per_kg_km`` is one number for the whole scenario,
minimizing the cost is minimizing ``Σ kg × km``; arc costs are the distance in whole metres
(exact to half a metre per kg, independent of the price scale, far from OR-Tools' int64 limits:
≤ 20,038 km × (nodes + 1) per arc).

Each lot left with unshipped kg is explained by the first reason that applies:

* ``no_order_in_window`` — no order of its product has its day inside the lot's window;
* ``buyers_too_far`` — there are such orders but every one's buyer is beyond its ``max_km``;
* ``price_too_high`` — some are near enough, but price + transport exceeds every one's max price;
* ``demand_met`` — it could ship to some order, but those orders are filled by other lots (at a
  maximum flow, more kg from this lot cannot raise the total).

The uncoordinated baseline: every buyer knows only the lots within ``local_km`` of it (and within
its own ``max_km``); orders, in order of (day, id), take the cheapest delivered lots first (lot
price + transport; ties by lot id) among those they could take under the rules above, until
filled. Loss = unsold kg ÷ all lot kg, for the plan and for the baseline.

Ids are JSON strings or integers; "order of id" compares integers numerically, strings as
strings, integers before strings.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from tongchou.core.geo import EARTH_RADIUS_KM

FORMAT = "tongchou-linkage/1"
MAX_KG = 100_000_000  # 100,000 t in one lot or order keeps every int64 sum far from overflow
MAX_DAYS = 3660

REASONS = ("no_order_in_window", "buyers_too_far", "price_too_high", "demand_met")


class ScenarioError(ValueError):
    """Malformed input; the message names the item and the field."""

    def __init__(self, where: str, field: str, problem: str):
        self.where = where
        self.field = field
        self.problem = problem
        super().__init__(f"{where}: field {field!r} {problem}")


@dataclass(frozen=True, slots=True)
class Lot:
    id: object
    product: str
    kg: int
    harvest_day: int
    shelf_days: int
    lat: float
    lon: float
    price: float

    @property
    def last_day(self) -> int:
        return self.harvest_day + self.shelf_days - 1


@dataclass(frozen=True, slots=True)
class Buyer:
    id: object
    lat: float
    lon: float
    max_km: float


@dataclass(frozen=True, slots=True)
class Order:
    id: object
    buyer: object
    product: str
    kg: int
    day: int
    max_price: float


@dataclass
class Scenario:
    start_date: dt.date
    days: int
    cost_per_kg_km: float
    local_km: float
    lots: list[Lot]
    buyers: list[Buyer]
    orders: list[Order]


@dataclass
class Result:
    """Shipments and unshipped lots by index into the scenario's lists."""

    shipments: list[tuple[int, int, int]]  # (lot index, order index, kg)
    unshipped: list[tuple[int, int, str]]  # (lot index, kg, reason)
    shipped_kg: int
    total_kg: int
    transport_cost: float
    baseline_shipments: list[tuple[int, int, int]] = field(default_factory=list)
    baseline_unsold_kg: int = 0
    timings: dict = field(default_factory=dict)

    @property
    def loss(self) -> float:
        return (self.total_kg - self.shipped_kg) / self.total_kg if self.total_kg else 0.0

    @property
    def baseline_loss(self) -> float:
        return self.baseline_unsold_kg / self.total_kg if self.total_kg else 0.0


# ---------------------------------------------------------------------------------------------
# Reading and checking a scenario


def id_key(value) -> tuple:
    """Sort key of an id: integers numerically, before strings."""
    return (0, value, "") if isinstance(value, int) else (1, 0, value)


def _where(kind: str, index: int, item) -> str:
    if isinstance(item, dict) and "id" in item and isinstance(item["id"], (str, int)):
        return f"{kind}[{index}] (id {item['id']!r})"
    return f"{kind}[{index}]"


def _int(item: dict, name: str, where: str, *, low: int, high: int | None = None) -> int:
    if name not in item:
        raise ScenarioError(where, name, "is missing")
    value = item[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(where, name, f"must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ScenarioError(where, name, f"must be {bound}, got {value}")
    return value


def _number(
    item: dict, name: str, where: str, *, low: float | None = None, high: float | None = None
) -> float:
    if name not in item:
        raise ScenarioError(where, name, "is missing")
    value = item[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(where, name, f"must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ScenarioError(where, name, f"must be a finite number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            bound = f"between {low:g} and {high:g}"
        elif low is not None:
            bound = f"at least {low:g}"
        else:
            bound = f"at most {high:g}"
        raise ScenarioError(where, name, f"must be {bound}, got {value:g}")
    return value


def _ident(item: dict, where: str, seen: set) -> object:
    if "id" not in item:
        raise ScenarioError(where, "id", "is missing")
    value = item["id"]
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        raise ScenarioError(where, "id", f"must be a non-empty string or an integer, got {value!r}")
    if value in seen:
        raise ScenarioError(where, "id", f"duplicates an earlier id {value!r}")
    seen.add(value)
    return value


def _text(item: dict, name: str, where: str) -> str:
    if name not in item:
        raise ScenarioError(where, name, "is missing")
    value = item[name]
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(where, name, f"must be a non-empty string, got {value!r}")
    return value


def _place(item: dict, where: str) -> tuple[float, float]:
    lat = _number(item, "lat", where, low=-90.0, high=90.0)
    lon = _number(item, "lon", where, low=-180.0, high=180.0)
    return lat, lon


def _list(data: dict, name: str) -> list:
    if name not in data:
        raise ScenarioError("scenario", name, "is missing")
    value = data[name]
    if not isinstance(value, list):
        raise ScenarioError("scenario", name, f"must be a list, got {type(value).__name__}")
    return value


def parse_scenario(data) -> Scenario:
    """A checked Scenario from the JSON object of ``tongchou-linkage/1``; ScenarioError if not."""
    if not isinstance(data, dict):
        raise ScenarioError("scenario", "format", "the scenario must be a JSON object")
    if data.get("format") != FORMAT:
        raise ScenarioError("scenario", "format", f"must be {FORMAT!r}, got {data.get('format')!r}")
    raw_date = data.get("start_date")
    try:
        start_date = dt.date.fromisoformat(raw_date) if isinstance(raw_date, str) else None
    except ValueError:
        start_date = None
    if start_date is None:
        raise ScenarioError(
            "scenario", "start_date", f"must be a date YYYY-MM-DD, got {raw_date!r}"
        )
    days = _int(data, "days", "scenario", low=1, high=MAX_DAYS)
    cost = _number(data, "cost_per_kg_km", "scenario", low=0.0)
    local_km = _number(data, "local_km", "scenario", low=0.0)

    lots: list[Lot] = []
    seen: set = set()
    for index, item in enumerate(_list(data, "lots")):
        where = _where("lots", index, item)
        if not isinstance(item, dict):
            raise ScenarioError(where, "(item)", "must be a JSON object")
        ident = _ident(item, where, seen)
        product = _text(item, "product", where)
        kg = _int(item, "kg", where, low=1, high=MAX_KG)
        harvest = _int(item, "harvest_day", where, low=0, high=days - 1)
        shelf = _int(item, "shelf_days", where, low=1, high=MAX_DAYS)
        lat, lon = _place(item, where)
        price = _number(item, "price", where, low=0.0)
        lots.append(Lot(ident, product, kg, harvest, shelf, lat, lon, price))

    buyers: list[Buyer] = []
    seen = set()
    for index, item in enumerate(_list(data, "buyers")):
        where = _where("buyers", index, item)
        if not isinstance(item, dict):
            raise ScenarioError(where, "(item)", "must be a JSON object")
        ident = _ident(item, where, seen)
        lat, lon = _place(item, where)
        max_km = _number(item, "max_km", where, low=0.0)
        buyers.append(Buyer(ident, lat, lon, max_km))
    buyer_ids = seen

    orders: list[Order] = []
    seen = set()
    for index, item in enumerate(_list(data, "orders")):
        where = _where("orders", index, item)
        if not isinstance(item, dict):
            raise ScenarioError(where, "(item)", "must be a JSON object")
        ident = _ident(item, where, seen)
        if "buyer" not in item:
            raise ScenarioError(where, "buyer", "is missing")
        buyer = item["buyer"]
        if isinstance(buyer, bool) or buyer not in buyer_ids:
            raise ScenarioError(where, "buyer", f"names no buyer of the scenario: {buyer!r}")
        product = _text(item, "product", where)
        kg = _int(item, "kg", where, low=1, high=MAX_KG)
        day = _int(item, "day", where, low=0, high=days - 1)
        max_price = _number(item, "max_price", where, low=0.0)
        orders.append(Order(ident, buyer, product, kg, day, max_price))

    return Scenario(start_date, days, cost, local_km, lots, buyers, orders)


# ---------------------------------------------------------------------------------------------
# Geometry and the feasible pairs


@dataclass
class Arrays:
    """The scenario as numpy columns (products and buyers as small integers)."""

    lot_product: np.ndarray
    lot_kg: np.ndarray
    lot_first: np.ndarray
    lot_last: np.ndarray
    lot_lat: np.ndarray
    lot_lon: np.ndarray
    lot_price: np.ndarray
    order_product: np.ndarray
    order_buyer: np.ndarray
    order_kg: np.ndarray
    order_day: np.ndarray
    order_max_price: np.ndarray
    buyer_lat: np.ndarray
    buyer_lon: np.ndarray
    buyer_max_km: np.ndarray
    trig: tuple | None = None


def arrays(scenario: Scenario) -> Arrays:
    products: dict[str, int] = {}
    for lot in scenario.lots:
        products.setdefault(lot.product, len(products))
    for order in scenario.orders:
        products.setdefault(order.product, len(products))
    buyer_index = {b.id: i for i, b in enumerate(scenario.buyers)}
    lots, orders, buyers = scenario.lots, scenario.orders, scenario.buyers
    f8, i8 = np.float64, np.int64
    return Arrays(
        lot_product=np.fromiter((products[x.product] for x in lots), i8, len(lots)),
        lot_kg=np.fromiter((x.kg for x in lots), i8, len(lots)),
        lot_first=np.fromiter((x.harvest_day for x in lots), i8, len(lots)),
        lot_last=np.fromiter((x.harvest_day + x.shelf_days - 1 for x in lots), i8, len(lots)),
        lot_lat=np.fromiter((x.lat for x in lots), f8, len(lots)),
        lot_lon=np.fromiter((x.lon for x in lots), f8, len(lots)),
        lot_price=np.fromiter((x.price for x in lots), f8, len(lots)),
        order_product=np.fromiter((products[x.product] for x in orders), i8, len(orders)),
        order_buyer=np.fromiter((buyer_index[x.buyer] for x in orders), i8, len(orders)),
        order_kg=np.fromiter((x.kg for x in orders), i8, len(orders)),
        order_day=np.fromiter((x.day for x in orders), i8, len(orders)),
        order_max_price=np.fromiter((x.max_price for x in orders), f8, len(orders)),
        buyer_lat=np.fromiter((x.lat for x in buyers), f8, len(buyers)),
        buyer_lon=np.fromiter((x.lon for x in buyers), f8, len(buyers)),
        buyer_max_km=np.fromiter((x.max_km for x in buyers), f8, len(buyers)),
    )


@dataclass
class Pairs:
    """Feasible lot → order pairs and, per lot, how far the candidates got through the rules."""

    lot: np.ndarray
    order: np.ndarray
    km: np.ndarray
    in_window: np.ndarray  # per lot: an order of its product in its window
    near: np.ndarray  # per lot: … whose buyer is within max_km (or the limit given)


def _trig(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(phi), np.sin(phi), np.cos(lam), np.sin(lam)])


def pair_km(a: Arrays, lot: np.ndarray, buyer: np.ndarray) -> np.ndarray:
    """Haversine distance of many (lot, buyer) pairs. The haversine term
    sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) is written with sin²(x/2) = (1 − cos x)/2 and the
    cosine of a difference, so that the sines and cosines are taken once per point, not per
    pair: the same formula (within 10⁻⁶ km of ``core.geo.haversine_km`` on this planet), one
    arcsine a pair."""
    if a.trig is None:
        a.trig = (_trig(a.lot_lat, a.lot_lon), _trig(a.buyer_lat, a.buyer_lon))
    lt, bt = a.trig
    c1, s1, cl1, sl1 = lt[0][lot], lt[1][lot], lt[2][lot], lt[3][lot]
    c2, s2, cl2, sl2 = bt[0][buyer], bt[1][buyer], bt[2][buyer], bt[3][buyer]
    cc = c1 * c2
    h = 0.5 * ((1.0 - cc - s1 * s2) + cc * (1.0 - cl1 * cl2 - sl1 * sl2))
    np.clip(h, 0.0, 1.0, out=h)
    return (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(h))


CHUNK = 1 << 19  # candidates examined at once: small temporaries stay in cache and get reused


def feasible_pairs(a: Arrays, cost_per_kg_km: float) -> Pairs:
    """Every (lot, order) pair the rules allow, vectorized: orders sorted by (product, day), each
    lot's window is one contiguous run of them; then distance, then price. Lots are taken in
    blocks of about ``CHUNK`` candidates (fresh half-gigabyte temporaries cost more in page
    faults than the arithmetic)."""
    n_lots = len(a.lot_kg)
    horizon = int(max(a.lot_last.max(initial=0), a.order_day.max(initial=0))) + 2
    order_key = a.order_product * horizon + a.order_day
    by_key = np.argsort(order_key, kind="stable").astype(np.int32)
    sorted_key = order_key[by_key]
    lo = np.searchsorted(sorted_key, a.lot_product * horizon + a.lot_first, side="left")
    hi = np.searchsorted(sorted_key, a.lot_product * horizon + a.lot_last, side="right")
    counts = hi - lo
    in_window = counts > 0
    near = np.zeros(n_lots, dtype=bool)
    ends = np.cumsum(counts)
    pieces = []
    first = 0
    while first < n_lots:
        base = ends[first] - counts[first]
        last = int(np.searchsorted(ends, base + CHUNK, side="right"))
        last = max(last, first + 1)
        block = np.arange(first, last, dtype=np.int32)
        c = counts[first:last]
        total = int(c.sum())
        if total:
            lot = np.repeat(block, c)
            starts = np.cumsum(c) - c
            pos = np.arange(total, dtype=np.int64) - np.repeat(starts - lo[first:last], c)
            order = by_key[pos]
            buyer = a.order_buyer[order]
            km = pair_km(a, lot, buyer)
            ok = km <= a.buyer_max_km[buyer]
            near[lot[ok]] = True
            lot, order, km = lot[ok], order[ok], km[ok]
            ok = a.lot_price[lot] + cost_per_kg_km * km <= a.order_max_price[order]
            pieces.append((lot[ok], order[ok], km[ok]))
        first = last
    if not pieces:
        empty = np.zeros(0, dtype=np.int32)
        return Pairs(empty, empty, np.zeros(0), in_window, near)
    return Pairs(
        np.concatenate([x[0] for x in pieces]),
        np.concatenate([x[1] for x in pieces]),
        np.concatenate([x[2] for x in pieces]),
        in_window,
        near,
    )


# ---------------------------------------------------------------------------------------------
# The plan


def components(a: Arrays, pairs: Pairs) -> np.ndarray:
    """A component number per pair such that no lot or order has pairs in two components:
    one per product and run of overlapping shipping windows (an order's day lies in the window
    of every lot it pairs with, so all of them fall in one run)."""
    if len(pairs.lot) == 0:
        return np.zeros(0, dtype=np.int64)
    lots = np.unique(pairs.lot)
    product, first, last = a.lot_product[lots], a.lot_first[lots], a.lot_last[lots]
    sequence = np.lexsort((first, product))
    product, first, last = product[sequence], first[sequence], last[sequence]
    # Within a product, a lot starts a new run when it opens after every earlier window closed.
    reach = np.empty_like(last)
    run_start = np.ones(len(lots), dtype=bool)
    run_start[1:] = product[1:] != product[:-1]
    # running maximum of ``last`` per product (products are contiguous after the sort)
    offset = product * (int(last.max()) + 2)
    reach = np.maximum.accumulate(last + offset) - offset
    new = run_start.copy()
    new[1:] |= first[1:] > reach[:-1]
    label = np.cumsum(new) - 1
    per_lot = np.empty(len(a.lot_kg), dtype=np.int64)
    per_lot[lots[sequence]] = label
    return per_lot[pairs.lot]


def _solve_part(a: Arrays, lot: np.ndarray, order: np.ndarray, metres: np.ndarray):
    """One component: a maximum flow of least Σ kg × metres, kg per arc."""
    from ortools.graph.python import min_cost_flow

    used_lots, tails = np.unique(lot, return_inverse=True)
    used_orders, heads = np.unique(order, return_inverse=True)
    smcf = min_cost_flow.SimpleMinCostFlow()
    capacity = np.minimum(a.lot_kg[lot], a.order_kg[order])
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), (heads + len(used_lots)).astype(np.int32), capacity, metres
    )
    smcf.set_nodes_supplies(
        np.arange(len(used_lots) + len(used_orders), dtype=np.int32),
        np.concatenate([a.lot_kg[used_lots], -a.order_kg[used_orders]]),
    )
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: status {status}")
    return np.asarray(smcf.flows(arcs), dtype=np.int64)


# Above this many arcs, components are solved in forked worker processes (one a core, at most
# PARALLEL_WORKERS): the solver holds the GIL, and the components are independent. Only the
# command line and the bench reach this size; a web request plans a chain's week, far below.
PARALLEL_MIN_ARCS = 1_000_000
PARALLEL_WORKERS = 4
_SHARED: tuple | None = None  # (arrays, pairs, metres, parts) for forked workers


def _solve_shared(index: int) -> np.ndarray:
    a, pairs, metres, parts = _SHARED
    part = parts[index]
    return _solve_part(a, pairs.lot[part], pairs.order[part], metres[part])


def solve_flow(a: Arrays, pairs: Pairs, *, parallel: bool | None = None) -> np.ndarray:
    """kg on every pair of a maximum flow of least Σ kg × metres (OR-Tools, exact), one
    independent network per component; large problems on several cores."""
    global _SHARED
    import os

    flow = np.zeros(len(pairs.lot), dtype=np.int64)
    if len(pairs.lot) == 0:
        return flow
    component = components(a, pairs)
    sequence = np.argsort(component, kind="stable")
    bounds = np.flatnonzero(np.diff(component[sequence])) + 1
    metres = np.rint(pairs.km * 1000.0).astype(np.int64)
    parts = np.split(sequence, bounds)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if parallel is None:
        parallel = len(pairs.lot) >= PARALLEL_MIN_ARCS and cores > 1 and len(parts) > 1
    if not parallel:
        for part in parts:
            flow[part] = _solve_part(a, pairs.lot[part], pairs.order[part], metres[part])
        return flow
    import multiprocessing

    # Largest first, so the workers finish together; fork shares the arrays without copying.
    largest_first = sorted(range(len(parts)), key=lambda i: -len(parts[i]))
    _SHARED = (a, pairs, metres, parts)
    try:
        context = multiprocessing.get_context("fork")
        workers = max(2, min(PARALLEL_WORKERS, cores, len(parts)))
        with context.Pool(workers) as pool:
            results = pool.map(_solve_shared, largest_first, chunksize=1)
    finally:
        _SHARED = None
    for index, result in zip(largest_first, results, strict=True):
        flow[parts[index]] = result
    return flow


def plan(scenario: Scenario, *, baseline: bool = True) -> Result:
    """The exact plan (and the uncoordinated baseline) of a checked scenario."""
    import time

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    a = arrays(scenario)
    pairs = feasible_pairs(a, scenario.cost_per_kg_km)
    timings["pairs"] = time.perf_counter() - t0
    timings["pair_count"] = len(pairs.lot)
    t1 = time.perf_counter()
    flow = solve_flow(a, pairs)
    timings["flow"] = time.perf_counter() - t1

    used = flow > 0
    ship_lot, ship_order, ship_kg = pairs.lot[used], pairs.order[used], flow[used]
    ship_km = pairs.km[used]
    sequence = np.lexsort((ship_order, ship_lot))
    shipments = [(int(ship_lot[i]), int(ship_order[i]), int(ship_kg[i])) for i in sequence.tolist()]
    shipped_per_lot = np.bincount(ship_lot, weights=ship_kg, minlength=len(a.lot_kg)).astype(
        np.int64
    )
    residual = a.lot_kg - shipped_per_lot
    has_pair = np.zeros(len(a.lot_kg), dtype=bool)
    has_pair[pairs.lot] = True
    unshipped = []
    for i in np.nonzero(residual > 0)[0].tolist():
        if not pairs.in_window[i]:
            reason = "no_order_in_window"
        elif not pairs.near[i]:
            reason = "buyers_too_far"
        elif not has_pair[i]:
            reason = "price_too_high"
        else:
            reason = "demand_met"
        unshipped.append((i, int(residual[i]), reason))
    result = Result(
        shipments=shipments,
        unshipped=unshipped,
        shipped_kg=int(ship_kg.sum()),
        total_kg=int(a.lot_kg.sum()),
        transport_cost=float((ship_kg * ship_km).sum() * scenario.cost_per_kg_km),
        timings=timings,
    )
    if baseline:
        t2 = time.perf_counter()
        result.baseline_shipments = uncoordinated(scenario, a, pairs)
        sold = sum(kg for *_, kg in result.baseline_shipments)
        result.baseline_unsold_kg = result.total_kg - sold
        timings["baseline"] = time.perf_counter() - t2
    return result


def uncoordinated(
    scenario: Scenario, a: Arrays | None = None, pairs: Pairs | None = None
) -> list[tuple[int, int, int]]:
    """The baseline's shipments (lot index, order index, kg): each buyer sees the lots within
    ``local_km``; orders by (day, id) take the cheapest delivered lots (ties by lot id) first.
    Its pairs are the plan's feasible pairs no farther than ``local_km``."""
    a = a if a is not None else arrays(scenario)
    pairs = pairs if pairs is not None else feasible_pairs(a, scenario.cost_per_kg_km)
    local = pairs.km <= scenario.local_km
    pairs = Pairs(pairs.lot[local], pairs.order[local], pairs.km[local], None, None)
    if len(pairs.lot) == 0:
        return []
    order_rank = _ranks([(o.day, id_key(o.id)) for o in scenario.orders])
    lot_rank = _ranks([id_key(x.id) for x in scenario.lots])
    delivered = a.lot_price[pairs.lot] + scenario.cost_per_kg_km * pairs.km
    sequence = np.lexsort((lot_rank[pairs.lot], delivered, order_rank[pairs.order]))
    lots = pairs.lot[sequence].tolist()
    orders = pairs.order[sequence].tolist()
    left = a.lot_kg.tolist()
    need = a.order_kg.tolist()
    shipments = []
    for lot, order in zip(lots, orders, strict=True):
        want = need[order]
        if want == 0:
            continue
        have = left[lot]
        if have == 0:
            continue
        kg = have if have < want else want
        left[lot] = have - kg
        need[order] = want - kg
        shipments.append((lot, order, kg))
    return shipments


def _ranks(keys: list) -> np.ndarray:
    ranks = np.empty(len(keys), dtype=np.int64)
    for rank, index in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
        ranks[index] = rank
    return ranks


# ---------------------------------------------------------------------------------------------
# The JSON answer


def answer(scenario: Scenario, result: Result) -> dict:
    """OUT of ``tongchou-linkage/1``."""
    lots, orders = scenario.lots, scenario.orders
    return {
        "shipments": [
            {"lot": lots[i].id, "order": orders[j].id, "kg": kg} for i, j, kg in result.shipments
        ],
        "unshipped": [
            {"lot": lots[i].id, "kg": kg, "reason": reason} for i, kg, reason in result.unshipped
        ],
        "loss": result.loss,
        "baseline_loss": result.baseline_loss,
    }


def plan_json(data) -> dict:
    """Check, plan, answer: the whole of ``linkage_plan`` but reading and writing files."""
    scenario = parse_scenario(data)
    return answer(scenario, plan(scenario))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(text: str):
    """json.loads that refuses NaN and Infinity (Python's json accepts them by default)."""
    import json

    return json.loads(text, parse_constant=_reject_constant)


def run_text(text: str) -> str:
    """IN text → OUT text (the command's and the bench's code path); ScenarioError on bad input."""
    import json

    try:
        data = load_json(text)
    except ValueError as exc:  # JSONDecodeError is a ValueError, so is NaN
        raise ScenarioError("scenario", "(file)", f"is not valid JSON: {exc}") from None
    return json.dumps(plan_json(data), ensure_ascii=False) + "\n"
