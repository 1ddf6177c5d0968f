"""The planner against a brute-force optimum and an LP, the baseline on hand-made cases, the
reasons, and malformed input (pure: no database)."""

import itertools
import json
import math
import random

import pytest

from tongchou.linkage import planner

R = 6371.0


def km(lat1, lon1, lat2, lon2):
    """Haversine written out again with math, independent of the planner's vectorized form."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


def scenario(lots, buyers, orders, *, days=10, cost=0.01, local_km=5.0):
    return {
        "format": "tongchou-linkage/1",
        "start_date": "2026-07-01",
        "days": days,
        "cost_per_kg_km": cost,
        "local_km": local_km,
        "lots": lots,
        "buyers": buyers,
        "orders": orders,
    }


def lot(ident, kg, *, day=0, shelf=5, lat=39.0, lon=106.4, price=2.0, product="番茄"):
    return {
        "id": ident,
        "product": product,
        "kg": kg,
        "harvest_day": day,
        "shelf_days": shelf,
        "lat": lat,
        "lon": lon,
        "price": price,
    }


def buyer(ident, *, lat=39.0, lon=106.4, max_km=50.0):
    return {"id": ident, "lat": lat, "lon": lon, "max_km": max_km}


def order(ident, buyer_id, kg, *, day=1, max_price=3.0, product="番茄"):
    return {
        "id": ident,
        "buyer": buyer_id,
        "product": product,
        "kg": kg,
        "day": day,
        "max_price": max_price,
    }


def feasible(data):
    """(lot index, order index, km) by the rules of the issue, one pair at a time."""
    buyers = {b["id"]: b for b in data["buyers"]}
    pairs = []
    for i, x in enumerate(data["lots"]):
        for j, o in enumerate(data["orders"]):
            b = buyers[o["buyer"]]
            d = km(x["lat"], x["lon"], b["lat"], b["lon"])
            if (
                x["product"] == o["product"]
                and x["harvest_day"] <= o["day"] <= x["harvest_day"] + x["shelf_days"] - 1
                and d <= b["max_km"]
                and x["price"] + data["cost_per_kg_km"] * d <= o["max_price"]
            ):
                pairs.append((i, j, d))
    return pairs


def brute_force(data):
    """Best (shipped kg, −Σ kg·km) over every integer flow on the feasible pairs."""
    pairs = feasible(data)
    lots, orders = data["lots"], data["orders"]
    ranges = [range(min(lots[i]["kg"], orders[j]["kg"]) + 1) for i, j, _ in pairs]
    best = (0, 0.0)
    for flows in itertools.product(*ranges):
        out = [0] * len(lots)
        into = [0] * len(orders)
        for (i, j, _), f in zip(pairs, flows, strict=True):
            out[i] += f
            into[j] += f
        if any(out[i] > x["kg"] for i, x in enumerate(lots)):
            continue
        if any(into[j] > o["kg"] for j, o in enumerate(orders)):
            continue
        shipped = sum(flows)
        cost = sum(f * d for (_, _, d), f in zip(pairs, flows, strict=True))
        if shipped > best[0] or (shipped == best[0] and cost < best[1]):
            best = (shipped, cost)
    return best


def check_plan(data, out):
    """The answer obeys every rule; returns (shipped kg, Σ kg·km)."""
    lots = {x["id"]: x for x in data["lots"]}
    orders = {o["id"]: o for o in data["orders"]}
    allowed = {(data["lots"][i]["id"], data["orders"][j]["id"]): d for i, j, d in feasible(data)}
    out_kg = dict.fromkeys(lots, 0)
    in_kg = dict.fromkeys(orders, 0)
    cost = 0.0
    for s in out["shipments"]:
        assert (s["lot"], s["order"]) in allowed
        assert s["kg"] > 0
        out_kg[s["lot"]] += s["kg"]
        in_kg[s["order"]] += s["kg"]
        cost += s["kg"] * allowed[(s["lot"], s["order"])]
    for ident, x in lots.items():
        assert out_kg[ident] <= x["kg"]
    for ident, o in orders.items():
        assert in_kg[ident] <= o["kg"]
    unshipped = {u["lot"]: u["kg"] for u in out["unshipped"]}
    for ident, x in lots.items():
        assert unshipped.get(ident, 0) == x["kg"] - out_kg[ident]
    total = sum(x["kg"] for x in data["lots"])
    shipped = sum(out_kg.values())
    assert out["loss"] == pytest.approx((total - shipped) / total)
    return shipped, cost


def random_scenario(rng, n_lots, n_orders, n_buyers, max_kg, *, dense=False):
    products = ["番茄"] if dense else ["番茄", "辣椒"]
    spread = 0.08 if dense else 0.3
    lots = [
        lot(
            f"L{i}",
            rng.randint(1, max_kg),
            day=rng.randint(0, 2 if dense else 5),
            shelf=rng.randint(2 if dense else 1, 4),
            lat=39.0 + rng.uniform(-spread, spread),
            lon=106.5 + rng.uniform(-spread, spread),
            price=round(rng.uniform(1.5, 3.0), 2),
            product=rng.choice(products),
        )
        for i in range(n_lots)
    ]
    buyers = [
        buyer(
            f"B{i}",
            lat=39.0 + rng.uniform(-spread, spread),
            lon=106.5 + rng.uniform(-spread, spread),
            max_km=rng.uniform(10, 60),
        )
        for i in range(n_buyers)
    ]
    orders = [
        order(
            f"O{i}",
            rng.choice(buyers)["id"],
            rng.randint(1, max_kg),
            day=rng.randint(1 if dense else 0, 4 if dense else 7),
            max_price=round(rng.uniform(2.5 if dense else 2.0, 3.5), 2),
            product=rng.choice(products),
        )
        for i in range(n_orders)
    ]
    return scenario(lots, buyers, orders, cost=0.02, local_km=15.0)


@pytest.mark.parametrize("seed", range(150))
def test_plan_equals_brute_force_on_tiny_random_scenarios(seed):
    rng = random.Random(seed)
    data = random_scenario(
        rng, rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2), max_kg=3, dense=True
    )
    while len(feasible(data)) > 7:  # keep the enumeration small
        data["orders"].pop()
    out = planner.plan_json(data)
    shipped, cost = check_plan(data, out)
    best_kg, best_cost = brute_force(data)
    assert shipped == best_kg
    # arc costs are whole metres: at most half a metre per kg from the true distances
    assert cost <= best_cost + 0.0005 * shipped + 1e-9


def lp_optimum(data):
    """Max kg, then min Σ kg·km, by OR-Tools' linear solver (GLOP): a transportation problem,
    so the LP optimum is integral."""
    from ortools.linear_solver import pywraplp

    pairs = feasible(data)
    lots, orders = data["lots"], data["orders"]

    def solve(fixed_kg=None):
        solver = pywraplp.Solver.CreateSolver("GLOP")
        x = [solver.NumVar(0, min(lots[i]["kg"], orders[j]["kg"]), "") for i, j, _ in pairs]
        arcs = list(zip(x, pairs, strict=True))
        for i, item in enumerate(lots):
            solver.Add(sum(v for v, (a, _, _) in arcs if a == i) <= item["kg"])
        for j, item in enumerate(orders):
            solver.Add(sum(v for v, (_, b, _) in arcs if b == j) <= item["kg"])
        total = sum(x)
        if fixed_kg is None:
            solver.Maximize(total)
        else:
            solver.Add(total >= fixed_kg - 1e-6)
            solver.Minimize(sum(v * d for v, (_, _, d) in zip(x, pairs, strict=True)))
        assert solver.Solve() == pywraplp.Solver.OPTIMAL
        return solver.Objective().Value()

    if not pairs:
        return 0, 0.0
    kg = round(solve())
    return kg, solve(kg)


@pytest.mark.parametrize("seed", range(12))
def test_plan_equals_lp_optimum_on_small_random_scenarios(seed):
    rng = random.Random(1000 + seed)
    data = random_scenario(rng, 25, 30, 6, max_kg=400)
    out = planner.plan_json(data)
    shipped, cost = check_plan(data, out)
    kg, best_cost = lp_optimum(data)
    assert shipped == kg
    assert cost == pytest.approx(best_cost, abs=0.0005 * shipped + 1e-6)


def reasons_by_hand(data, out):
    """The reason of every unshipped lot, from the rules one at a time."""
    buyers = {b["id"]: b for b in data["buyers"]}
    pairs = {data["lots"][i]["id"] for i, _, _ in feasible(data)}
    found = {}
    for x in data["lots"]:
        window = [
            o
            for o in data["orders"]
            if o["product"] == x["product"]
            and x["harvest_day"] <= o["day"] <= x["harvest_day"] + x["shelf_days"] - 1
        ]
        near = [
            o
            for o in window
            if km(x["lat"], x["lon"], buyers[o["buyer"]]["lat"], buyers[o["buyer"]]["lon"])
            <= buyers[o["buyer"]]["max_km"]
        ]
        if not window:
            found[x["id"]] = "no_order_in_window"
        elif not near:
            found[x["id"]] = "buyers_too_far"
        elif x["id"] not in pairs:
            found[x["id"]] = "price_too_high"
        else:
            found[x["id"]] = "demand_met"
    return {u["lot"]: found[u["lot"]] for u in out["unshipped"]}


@pytest.mark.parametrize("seed", range(20))
def test_reasons_follow_the_rules(seed):
    rng = random.Random(500 + seed)
    data = random_scenario(rng, 12, 8, 3, max_kg=50)
    out = planner.plan_json(data)
    assert {u["lot"]: u["reason"] for u in out["unshipped"]} == reasons_by_hand(data, out)


def test_each_reason_on_a_hand_made_case():
    data = scenario(
        [
            lot("late", 10, day=8, shelf=2),  # no order on days 8-9
            lot("far", 10, lat=40.0),  # 111 km north, the buyer takes 50 km
            lot("dear", 10, price=2.99, lon=106.45),  # 2.99 + 0.01 × 4.3 km > 3.0
            lot("near", 10),
            lot("second", 10, lon=106.41),  # also fine, but the order is full
        ],
        [buyer("canteen")],
        [order("o1", "canteen", 10)],
    )
    out = planner.plan_json(data)
    assert out["shipments"] == [{"lot": "near", "order": "o1", "kg": 10}]
    assert out["unshipped"] == [
        {"lot": "late", "kg": 10, "reason": "no_order_in_window"},
        {"lot": "far", "kg": 10, "reason": "buyers_too_far"},
        {"lot": "dear", "kg": 10, "reason": "price_too_high"},
        {"lot": "second", "kg": 10, "reason": "demand_met"},
    ]
    assert out["loss"] == pytest.approx(40 / 50)


def test_shipping_window_is_inclusive_at_both_ends():
    data = scenario(
        [lot("a", 5, day=2, shelf=3)],  # days 2, 3, 4
        [buyer("b")],
        [order("d1", "b", 1, day=1), order("d2", "b", 1, day=2), order("d4", "b", 1, day=4)]
        + [order("d5", "b", 1, day=5)],
    )
    out = planner.plan_json(data)
    assert {s["order"] for s in out["shipments"]} == {"d2", "d4"}


def test_more_kg_beats_less_transport():
    """A far lot that lets both orders fill wins over the near lot serving one."""
    data = scenario(
        [lot("near", 10, lon=106.40), lot("far", 10, lon=106.60)],
        [buyer("x", lon=106.40, max_km=5), buyer("y", lon=106.5, max_km=50)],
        [order("ox", "x", 10), order("oy", "y", 10)],
    )
    out = planner.plan_json(data)
    assert sorted((s["lot"], s["order"], s["kg"]) for s in out["shipments"]) == [
        ("far", "oy", 10),
        ("near", "ox", 10),
    ]
    assert out["loss"] == 0.0


def test_least_transport_among_equal_kg():
    data = scenario(
        [lot("far", 10, lon=106.6), lot("near", 10, lon=106.41)],
        [buyer("b", lon=106.4)],
        [order("o", "b", 10)],
    )
    out = planner.plan_json(data)
    assert out["shipments"] == [{"lot": "near", "order": "o", "kg": 10}]
    assert out["unshipped"] == [{"lot": "far", "kg": 10, "reason": "demand_met"}]


# --- the uncoordinated baseline, by hand ------------------------------------------------------


def baseline(data):
    s = planner.parse_scenario(data)
    return [
        (s.lots[i].id, s.orders[j].id, kg) for i, j, kg in planner.uncoordinated(s)
    ], planner.plan_json(data)["baseline_loss"]


def test_baseline_sees_only_lots_within_local_km():
    # the lot 4.3 km away is seen (local 5 km), the one 8.6 km away is not, though within max_km
    data = scenario(
        [lot("seen", 10, lon=106.45), lot("unseen", 10, lon=106.5)],
        [buyer("b", lon=106.4, max_km=50)],
        [order("o", "b", 20)],
        local_km=5.0,
    )
    shipments, loss = baseline(data)
    assert shipments == [("seen", "o", 10)]
    assert loss == pytest.approx(0.5)
    assert planner.plan_json(data)["loss"] == 0.0


def test_baseline_earlier_day_first_then_id():
    # one lot of 10 kg; three orders: day 2 (id 1), day 1 (id 9), day 1 (id 3)
    data = scenario(
        [lot(1, 10, shelf=5)],
        [buyer(1)],
        [order(1, 1, 10, day=2), order(9, 1, 6, day=1), order(3, 1, 6, day=1)],
    )
    shipments, _loss = baseline(data)
    assert shipments == [(1, 3, 6), (1, 9, 4)]


def test_baseline_takes_the_cheapest_delivered_lot_first():
    # 'cheap' has the lower farm-gate price but is 8.6 km away: 2.00 + 0.1 × 8.6 = 2.86 > 2.50
    data = scenario(
        [lot("cheap", 10, price=2.0, lon=106.5), lot("close", 10, price=2.5, lon=106.4)],
        [buyer("b", lon=106.4)],
        [order("o", "b", 15, max_price=5.0)],
        cost=0.1,
        local_km=20.0,
    )
    shipments, loss = baseline(data)
    assert shipments == [("close", "o", 10), ("cheap", "o", 5)]
    assert loss == pytest.approx(5 / 20)


def test_baseline_ties_by_lot_id():
    same = {"lon": 106.41, "price": 2.0}
    data = scenario(
        [lot("b-lot", 10, **same), lot("a-lot", 10, **same), lot("c-lot", 10, **same)],
        [buyer("b")],
        [order("o", "b", 15)],
    )
    shipments, _loss = baseline(data)
    assert shipments == [("a-lot", "o", 10), ("b-lot", "o", 5)]


def test_baseline_integer_ids_before_string_ids_and_numeric_order():
    same = {"lon": 106.41}
    data = scenario(
        [lot("x", 5, **same), lot(10, 5, **same), lot(9, 5, **same)],
        [buyer("b")],
        [order("o", "b", 10)],
    )
    shipments, _loss = baseline(data)
    assert shipments == [(9, "o", 5), (10, "o", 5)]


def test_baseline_respects_window_price_and_greedy_myopia():
    # The first order takes the only lot both could use; the plan would split them.
    data = scenario(
        [lot("A", 10, lon=106.41), lot("B", 10, lon=106.42, product="辣椒")],
        [buyer("b")],
        [order("o1", "b", 10, day=1), order("o2", "b", 10, day=2)],
    )
    shipments, loss = baseline(data)
    assert shipments == [("A", "o1", 10)]
    assert loss == pytest.approx(0.5)


# --- malformed input -------------------------------------------------------------------------


def good():
    return scenario([lot("L1", 10)], [buyer("B1")], [order("O1", "B1", 5)])


@pytest.mark.parametrize(
    ("change", "where", "field"),
    [
        (lambda d: d["lots"][0].update(kg=0), "lots[0] (id 'L1')", "kg"),
        (lambda d: d["lots"][0].update(kg=-3), "lots[0] (id 'L1')", "kg"),
        (lambda d: d["lots"][0].update(kg=2.5), "lots[0] (id 'L1')", "kg"),
        (lambda d: d["lots"][0].update(harvest_day=10), "lots[0] (id 'L1')", "harvest_day"),
        (lambda d: d["lots"][0].update(harvest_day=-1), "lots[0] (id 'L1')", "harvest_day"),
        (lambda d: d["lots"][0].update(shelf_days=0), "lots[0] (id 'L1')", "shelf_days"),
        (lambda d: d["lots"][0].update(price="cheap"), "lots[0] (id 'L1')", "price"),
        (lambda d: d["lots"][0].update(price=float("nan")), "lots[0] (id 'L1')", "price"),
        (lambda d: d["lots"][0].update(lat=91), "lots[0] (id 'L1')", "lat"),
        (lambda d: d["lots"][0].update(lon=-181), "lots[0] (id 'L1')", "lon"),
        (lambda d: d["lots"][0].update(product=""), "lots[0] (id 'L1')", "product"),
        (lambda d: d["lots"][0].pop("product"), "lots[0] (id 'L1')", "product"),
        (lambda d: d["lots"].append(lot("L1", 3)), "lots[1] (id 'L1')", "id"),
        (lambda d: d["buyers"][0].update(max_km=float("inf")), "buyers[0] (id 'B1')", "max_km"),
        (lambda d: d["orders"][0].update(buyer="B9"), "orders[0] (id 'O1')", "buyer"),
        (lambda d: d["orders"][0].update(max_price=None), "orders[0] (id 'O1')", "max_price"),
        (lambda d: d["orders"][0].update(day=10), "orders[0] (id 'O1')", "day"),
        (lambda d: d["orders"][0].update(kg=True), "orders[0] (id 'O1')", "kg"),
        (lambda d: d.update(format="tongchou-linkage/2"), "scenario", "format"),
        (lambda d: d.update(days=0), "scenario", "days"),
        (lambda d: d.update(start_date="2026-02-30"), "scenario", "start_date"),
        (lambda d: d.update(cost_per_kg_km=-0.1), "scenario", "cost_per_kg_km"),
        (lambda d: d.update(lots={}), "scenario", "lots"),
    ],
)
def test_malformed_input_names_item_and_field(change, where, field):
    data = good()
    change(data)
    with pytest.raises(planner.ScenarioError) as caught:
        planner.parse_scenario(data)
    assert caught.value.where == where
    assert caught.value.field == field
    assert where in str(caught.value) and repr(field) in str(caught.value)


def test_nan_in_the_file_is_refused():
    text = json.dumps(good()).replace('"price": 2.0', '"price": NaN')
    with pytest.raises(planner.ScenarioError) as caught:
        planner.run_text(text)
    assert "NaN" in str(caught.value)


def test_an_order_for_a_product_no_lot_offers_is_allowed():
    data = good()
    data["orders"].append(order("O2", "B1", 5, product="枸杞"))
    out = planner.plan_json(data)
    assert out["shipments"] == [{"lot": "L1", "order": "O1", "kg": 5}]


def test_empty_scenario():
    out = planner.plan_json(scenario([], [], []))
    assert out == {"shipments": [], "unshipped": [], "loss": 0.0, "baseline_loss": 0.0}


def test_parallel_solving_gives_the_same_plan():
    """Forked workers (used above a million arcs) solve the same components the same way."""
    from tongchou.linkage import generate

    s = planner.parse_scenario(generate.scenario("small"))
    a = planner.arrays(s)
    pairs = planner.feasible_pairs(a, s.cost_per_kg_km)
    one = planner.solve_flow(a, pairs, parallel=False)
    many = planner.solve_flow(a, pairs, parallel=True)
    metres = (pairs.km * 1000).round()
    assert one.sum() == many.sum()
    assert (one * metres).sum() == (many * metres).sum()
