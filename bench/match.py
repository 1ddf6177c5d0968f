"""``python -m bench --only match`` (or ``python -m bench.match``): the talent matcher at size.

A deterministic scenario (seed 8) of 10,000 talents and 5,000 needs over 宁夏 (about 470 × 300 km,
the villages clustered around county seats), ten skills, availability windows in one year, about a
million feasible pairs, is written as a ``tongchou-talent/1`` file; then the command line's own
code path (``tongchou.talent.scenario.run``: read the JSON, build the candidates, solve the
min-cost flow, write the JSON) is timed end to end, best of N runs. Beside it the greedy hand
method — needs by priority, each slot to the nearest free talent — on the same candidates, with
the priority it loses and its km. The result is checked against every rule
(``matching.check``). Target: ≤ 5 s end to end.
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "var" / "bench"
OUT = REPO / "bench" / "out"
TARGET_S = 5.0

SKILLS = [
    "农业技术",
    "电子商务",
    "医疗卫生",
    "法律服务",
    "教育培训",
    "党务",
    "金融",
    "建筑规划",
    "文化旅游",
    "养老服务",
]
# County seats of 宁夏 (lat, lon): talents and needs cluster around them.
SEATS = [
    (38.49, 106.23),
    (38.28, 106.24),
    (38.47, 106.28),
    (38.60, 106.30),
    (39.02, 106.38),
    (38.86, 106.40),
    (38.79, 106.33),
    (37.99, 106.20),
    (37.78, 107.40),
    (37.38, 106.20),
    (36.00, 106.28),
    (35.62, 106.10),
    (35.48, 106.37),
    (35.95, 105.72),
    (37.52, 105.18),
    (36.58, 105.90),
    (37.20, 105.68),
    (38.19, 106.08),
    (38.03, 106.20),
    (37.12, 106.00),
]


def generate(seed: int = 8, talents: int = 10_000, needs: int = 5_000) -> dict:
    rng = random.Random(seed)

    def point(spread: float):
        lat, lon = rng.choice(SEATS)
        return round(lat + rng.gauss(0, spread), 5), round(lon + rng.gauss(0, spread * 1.2), 5)

    out_t = []
    for i in range(talents):
        lat, lon = point(0.25)
        first = rng.randint(0, 300)
        out_t.append(
            {
                "id": f"t{i}",
                "skills": rng.sample(SKILLS, rng.choice([1, 1, 2, 2, 2, 3])),
                "lat": lat,
                "lon": lon,
                "max_km": rng.choice([40, 60, 80, 120, 200]),
                "available": [first, first + rng.randint(40, 280)],
                "capacity": rng.choice([1, 1, 1, 2]),
            }
        )
    out_n = []
    for j in range(needs):
        lat, lon = point(0.3)
        first = rng.randint(0, 330)
        out_n.append(
            {
                "id": f"n{j}",
                "skill": rng.choice(SKILLS),
                "lat": lat,
                "lon": lon,
                "period": [first, first + rng.randint(3, 35)],
                "slots": rng.choice([1, 1, 1, 2, 3]),
                "priority": rng.choice([1, 2, 3, 3, 5, 8]),
            }
        )
    return {"format": "tongchou-talent/1", "talents": out_t, "needs": out_n}


def measure(*, repeat: int = 3, seed: int = 8, cli: bool = True) -> dict:
    from tongchou.talent import matching, scenario

    WORK.mkdir(parents=True, exist_ok=True)
    src = WORK / f"talent-scenario-{seed}.json"
    dst = WORK / f"talent-result-{seed}.json"
    src.write_text(json.dumps(generate(seed), ensure_ascii=False), encoding="utf-8")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        talents, needs, result = scenario.run(src, dst)
        times.append(time.perf_counter() - started)
    # The parts, once more, for the report.
    t0 = time.perf_counter()
    talents, needs = scenario.load(src)
    t1 = time.perf_counter()
    cands = matching.candidates(talents, needs)
    t2 = time.perf_counter()
    result = matching.solve(talents, needs, cands=cands)
    t3 = time.perf_counter()
    scenario.write(dst, scenario.output(talents, needs, result))
    t4 = time.perf_counter()
    matching.check(talents, needs, result.pairs)
    greedy = matching.greedy(talents, needs, cands)
    matching.check(talents, needs, greedy.pairs)
    figures = {
        "talents": len(talents),
        "needs": len(needs),
        "slots": sum(n.slots for n in needs),
        "feasible_pairs": len(cands.talent),
        "end_to_end_s": round(min(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "read_s": round(t1 - t0, 3),
        "candidates_s": round(t2 - t1, 3),
        "solve_s": round(t3 - t2, 3),
        "write_s": round(t4 - t3, 3),
        "exact": {
            "filled": len(result.pairs),
            "priority": result.priority,
            "km": round(result.km, 1),
        },
        "greedy": {
            "filled": len(greedy.pairs),
            "priority": greedy.priority,
            "km": round(greedy.km, 1),
            "priority_lost": result.priority - greedy.priority,
        },
        "target_s": TARGET_S,
    }
    if cli:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "manage.py", "talent_match", "--scenario", src, "--out", dst],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        figures["cli_process_s"] = round(time.perf_counter() - started, 3)
        figures["cli_exit"] = done.returncode
    figures["verdict"] = "PASS" if figures["end_to_end_s"] <= TARGET_S else "MISS"
    return figures


def report(f: dict) -> None:
    print(
        f"talent matching: {f['talents']:,} talents × {f['needs']:,} needs "
        f"({f['slots']:,} slots), {f['feasible_pairs']:,} feasible pairs"
    )
    print(
        f"  exact, end to end (read, build, solve, write), best of {len(f['runs_s'])}: "
        f"{f['end_to_end_s']:.2f} s {f['verdict']} (target ≤ {f['target_s']:.0f} s; "
        f"runs {', '.join(f'{t:.2f}' for t in f['runs_s'])})"
    )
    print(
        f"    read {f['read_s']:.2f} s, candidates {f['candidates_s']:.2f} s, "
        f"solve {f['solve_s']:.2f} s, write {f['write_s']:.2f} s"
    )
    if "cli_process_s" in f:
        print(
            f"  manage.py talent_match as a process (Django start included): "
            f"{f['cli_process_s']:.2f} s, exit {f['cli_exit']}"
        )
    e, g = f["exact"], f["greedy"]
    print(f"  exact : {e['filled']:,} slots filled, priority {e['priority']:,}, {e['km']:,.1f} km")
    print(
        f"  greedy: {g['filled']:,} slots filled, priority {g['priority']:,} "
        f"(lost {g['priority_lost']:,}), {g['km']:,.1f} km"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.match", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    figures = measure(repeat=args.repeat, seed=args.seed)
    report(figures)
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "report-match.json"
    target.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"report: {target.relative_to(REPO)}")
    if figures["verdict"] != "PASS":
        sys.exit(1)


if __name__ == "__main__":
    main()
