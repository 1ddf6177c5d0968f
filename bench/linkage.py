"""``python -m bench --only linkage`` (or ``python -m bench.linkage``): the supply–sales planner.

Generated Shizuishan-like scenarios (tongchou/linkage/generate.py) at three sizes go through
``python manage.py linkage_plan``'s code path (the command itself, called in-process: read the
file, check it, plan, the baseline, write the answer). For each: the uncoordinated baseline's
loss (the greedy rule of issue 10), the plan's loss, the reduction, the time. On medium the
plan's shipped kg and transport are checked against an independent solver: the feasible pairs
rebuilt with the plain haversine formula, the maximum kg by OR-Tools' max-flow (push-relabel,
not the min-cost code) and the least km·kg at that kg by the GLOP linear program (the
transportation LP is integral). Then the season board of a chain with 5,000 lots
(tongchou.linkage.selectors.season_board_for) on a fresh SQLite database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"

TARGETS = {
    "reduction": 0.60,  # loss reduced by ≥ 60 % (medium, large)
    "medium_s": 1.0,
    "large_s": 10.0,
    "board_ms": 200.0,
}


def setup_django(database_url: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    # As bench/__main__.py runs its worker: plain static files, no debug, the test host.
    os.environ.setdefault("TONGCHOU_PLAIN_STATIC", "1")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.pop("TONGCHOU_ENV", None)
    import django

    django.setup()


def run_command(text: str) -> tuple[dict, float]:
    """linkage_plan on a scenario file; (answer, seconds)."""
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.json", Path(tmp) / "out.json"
        source.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        call_command("linkage_plan", scenario=str(source), out=str(target))
        seconds = time.perf_counter() - started
        return json.loads(target.read_text(encoding="utf-8")), seconds


def independent_optimum(data: dict) -> tuple[int, float, int]:
    """(max kg, least Σ kg·km at that kg, pairs) without the planner's code."""
    import numpy as np
    from ortools.graph.python import max_flow
    from ortools.linear_solver import pywraplp

    buyers = {b["id"]: b for b in data["buyers"]}
    lots, orders = data["lots"], data["orders"]
    tails, heads, kms = [], [], []
    r = 6371.0
    for product in {x["product"] for x in lots}:
        li = [i for i, x in enumerate(lots) if x["product"] == product]
        oi = [j for j, o in enumerate(orders) if o["product"] == product]
        if not li or not oi:
            continue
        lat1 = np.radians([lots[i]["lat"] for i in li])[:, None]
        lon1 = np.radians([lots[i]["lon"] for i in li])[:, None]
        lat2 = np.radians([buyers[orders[j]["buyer"]]["lat"] for j in oi])[None, :]
        lon2 = np.radians([buyers[orders[j]["buyer"]]["lon"] for j in oi])[None, :]
        a = (
            np.sin((lat2 - lat1) / 2) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        )
        d = 2 * r * np.arcsin(np.sqrt(a))
        h = np.array([lots[i]["harvest_day"] for i in li])[:, None]
        e = h + np.array([lots[i]["shelf_days"] for i in li])[:, None] - 1
        day = np.array([orders[j]["day"] for j in oi])[None, :]
        limit = np.array([buyers[orders[j]["buyer"]]["max_km"] for j in oi])[None, :]
        price = np.array([lots[i]["price"] for i in li])[:, None]
        top = np.array([orders[j]["max_price"] for j in oi])[None, :]
        ok = (h <= day) & (day <= e) & (d <= limit) & (price + data["cost_per_kg_km"] * d <= top)
        a_i, b_j = np.nonzero(ok)
        tails += [li[k] for k in a_i]
        heads += [oi[k] for k in b_j]
        kms += d[a_i, b_j].tolist()
    n_lots = len(lots)
    mf = max_flow.SimpleMaxFlow()
    source, sink = n_lots + len(orders), n_lots + len(orders) + 1
    for i, x in enumerate(lots):
        mf.add_arc_with_capacity(source, i, x["kg"])
    for j, o in enumerate(orders):
        mf.add_arc_with_capacity(n_lots + j, sink, o["kg"])
    for t, h in zip(tails, heads, strict=True):
        mf.add_arc_with_capacity(t, n_lots + h, min(lots[t]["kg"], orders[h]["kg"]))
    assert mf.solve(source, sink) == mf.OPTIMAL
    best = mf.optimal_flow()

    solver = pywraplp.Solver.CreateSolver("GLOP")
    xs = [
        solver.NumVar(0, min(lots[t]["kg"], orders[h]["kg"]), "")
        for t, h in zip(tails, heads, strict=True)
    ]
    out_rows = [[] for _ in lots]
    in_rows = [[] for _ in orders]
    for x, t, h in zip(xs, tails, heads, strict=True):
        out_rows[t].append(x)
        in_rows[h].append(x)
    for i, row in enumerate(out_rows):
        if row:
            solver.Add(solver.Sum(row) <= lots[i]["kg"])
    for j, row in enumerate(in_rows):
        if row:
            solver.Add(solver.Sum(row) <= orders[j]["kg"])
    solver.Add(solver.Sum(xs) >= best)
    solver.Minimize(solver.Sum([x * k for x, k in zip(xs, kms, strict=True)]))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return best, solver.Objective().Value(), len(tails)


def plan_km_kg(data: dict, answer: dict) -> float:
    import math

    lots = {x["id"]: x for x in data["lots"]}
    buyers = {b["id"]: b for b in data["buyers"]}
    orders = {o["id"]: o for o in data["orders"]}
    total = 0.0
    for s in answer["shipments"]:
        x, b = lots[s["lot"]], buyers[orders[s["order"]]["buyer"]]
        p1, p2 = math.radians(x["lat"]), math.radians(b["lat"])
        a = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b["lon"] - x["lon"]) / 2) ** 2
        )
        total += s["kg"] * 2 * 6371.0 * math.asin(math.sqrt(a))
    return total


def bench_board(lots: int = 5000, repeat: int = 9) -> dict:
    """Median time of the season board of one chain with ``lots`` lots (fresh SQLite)."""
    from tongchou.linkage import bench_board as board

    return board.run(lots=lots, repeat=repeat)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.linkage")
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--no-board", action="store_true")
    args = parser.parse_args(argv)
    work = REPO / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    board_db = work / "linkage-board.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{board_db}{suffix}").unlink(missing_ok=True)
    setup_django(f"sqlite:///{board_db}")
    from tongchou.linkage import generate

    rows = []
    report: dict = {"sizes": {}}
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        data = generate.scenario(size, seed=args.seed)
        text = json.dumps(data, ensure_ascii=False)
        answer, seconds = run_command(text)
        base, loss = answer["baseline_loss"], answer["loss"]
        reduction = (1 - loss / base) if base else 0.0
        shipped = sum(s["kg"] for s in answer["shipments"])
        entry = {
            "lots": len(data["lots"]),
            "orders": len(data["orders"]),
            "buyers": len(data["buyers"]),
            "lot_kg": sum(x["kg"] for x in data["lots"]),
            "shipped_kg": shipped,
            "baseline_loss": base,
            "loss": loss,
            "reduction": reduction,
            "seconds": seconds,
        }
        if size == "medium":
            best, least, pairs = independent_optimum(data)
            entry.update(
                pairs=pairs,
                independent_max_kg=best,
                independent_min_km_kg=least,
                plan_km_kg=plan_km_kg(data, answer),
            )
        report["sizes"][size] = entry
        rows.append((size, entry))
        print(
            f"linkage {size:6s} {entry['lots']:>6,} lots × {entry['orders']:>6,} orders: "
            f"baseline (greedy) loss {base:6.1%}  plan loss {loss:6.1%}  "
            f"reduction {reduction:6.1%}  {seconds:6.2f} s",
            flush=True,
        )
    if not args.no_board:
        report["board"] = bench_board()
        board = report["board"]
        print(
            f"linkage season board, chain of {board['lots']:,} lots: page "
            f"{board['median_ms']:.1f} ms, selector {board['selector_ms']:.1f} ms "
            f"(median of {board['repeat']})",
            flush=True,
        )
    verdicts = verdicts_of(report)
    print()
    for key, (text, ok) in verdicts.items():
        print(f"  {'PASS' if ok else 'MISS'}  {key}: {text}")
    report["verdicts"] = {k: ("PASS" if ok else "MISS") for k, (_t, ok) in verdicts.items()}
    report["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "report-linkage.json"
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"report: {target.relative_to(REPO)}")
    return report


def verdicts_of(report: dict) -> dict:
    sizes = report["sizes"]
    out = {}
    for size in ("medium", "large"):
        if size in sizes:
            r = sizes[size]["reduction"]
            out[f"{size} loss reduction ≥ 60 %"] = (f"{r:.1%}", r >= TARGETS["reduction"])
            limit = TARGETS[f"{size}_s"]
            s = sizes[size]["seconds"]
            out[f"{size} ≤ {limit:g} s end to end"] = (f"{s:.2f} s", s <= limit)
    if "medium" in sizes and "independent_max_kg" in sizes["medium"]:
        m = sizes["medium"]
        kg_ok = m["shipped_kg"] == m["independent_max_kg"]
        out["medium shipped kg = independent optimum"] = (
            f"{m['shipped_kg']:,} vs {m['independent_max_kg']:,} kg (max-flow)",
            kg_ok,
        )
        gap = m["plan_km_kg"] - m["independent_min_km_kg"]
        out["medium transport = independent LP minimum"] = (
            f"{m['plan_km_kg']:,.1f} vs {m['independent_min_km_kg']:,.1f} km·kg "
            f"(metre rounding allows {0.0005 * m['shipped_kg']:,.1f})",
            gap <= 0.0005 * m["shipped_kg"] + 1e-6,
        )
    if "board" in report:
        ms = report["board"]["median_ms"]
        out["season board, 5,000 lots ≤ 200 ms"] = (f"{ms:.1f} ms", ms <= TARGETS["board_ms"])
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
