"""``python -m bench [--quick]``: build a generated deployment of real divisions on SQLite and
PostgreSQL, time the import and the reads behind the pages, print a table, write a report.

    python -m bench                 # Shandong (37): ≥100,000 organizations, 1,000,000 members
    python -m bench --quick         # one city (日照, 3711), 20,000 members: under a minute
    python -m bench --db sqlite     # one database only
    python -m bench --only import   # only some parts: import (with the raw loads), reads, motion,
                                    # http (the real server under load: bench/http.py),
                                    # resources (issue 8: bookings and flows, bench/resources.py)
                                    # linkage (the supply–sales planner: bench/linkage.py)
                                    # match (the talent matcher, no database: bench/match.py)
                                    # service (issue 9's needs: bench/service.py, FULL=1 for the
                                    # province sizes)
    python -m bench --pg-url postgres://postgres@127.0.0.1:5432/tongchou_bench
    python -m bench.motion --database-url sqlite:///var/bench/bench.sqlite3   # issue 3 again

Every database is fresh: the SQLite file under ``var/bench/`` is deleted, the PostgreSQL
database (its name must contain ``bench``) is dropped and created again. PostgreSQL is skipped
with a message when the server cannot be reached. The generated member file is cached in
``var/bench/`` (same seed, same rows). Figures go to ``bench/out/report.json``
(``report-quick.json`` for ``--quick``, ``report-<parts>.json`` for ``--only``).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
WORK = REPO / "var" / "bench"
DEFAULT_DIVISIONS = REPO.parent / "shared" / "data" / "divisions"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/tongchou_bench"

# key → (label, target, unit, higher is better)
TARGETS = {
    "import_rows_per_s": ("导入 import (rows/s)", 50_000, "rows/s", True),
    "import_cpu_us_per_row": ("  import CPU, all processes (µs a row)", None, "µs", False),
    "raw_rows_per_s": ("raw load, copy of the member table", None, "rows/s", True),
    "import_vs_raw": ("import ÷ raw", 0.15, "", True),
    "raw_bare_rows_per_s": ("raw load, bare table (no index)", None, "rows/s", True),
    "import_vs_raw_bare": ("import ÷ raw bare", None, "", True),
    "city_count": ("city subtree member count", 10, "ms", False),
    "city_count_rows": ("  the same, counting member rows", None, "ms", False),
    "root_children_counts": ("per-child counts at the root", 100, "ms", False),
    "county_first_page": ("county member list, page 1 by name", 50, "ms", False),
    "tree_page": ("tree page /orgs/", 150, "ms", False),
    "tree_expand_root": ("tree: expand the root (htmx)", None, "ms", False),
    "org_detail_page": ("organization page (root)", None, "ms", False),
    "member_page": ("member list page /members/", 150, "ms", False),
    "member_page_county": ("member list page, county, by name", None, "ms", False),
    # Issue 3, members in motion (bench/motion.py)
    "motion_generate_s": ("motion data generated (spells, sessions, attendance)", None, "s", False),
    "left_behind_county": ("无遗漏 report, county (rows listed)", 300, "ms", False),
    "left_behind_root": ("无遗漏 report, province root, superuser", 3000, "ms", False),
    "expectation_street": ("org-life expectation summary, a street", 200, "ms", False),
    "transfers_per_s": ("transfers completed (1,000, full workflow)", 200, "/s", True),
    "transfers_concurrent_per_s": ("  the same from 4 clients at once", None, "/s", True),
}


NOTES = {
    "import": "tongchou.members.importing.read_rows + members_import on a generated UTF-8 CSV "
    "(Chinese headers and labels, as an office sends it): every row parsed and checked by "
    "members.rules.check_member, duplicates in the file and in the database, organization codes "
    "and scope, ID number and phone encrypted (AES-GCM), keyed hash; one transaction.",
    "raw": "The same rows read back from the member table (already validated and encrypted) and "
    "written again, timed alone: SQLite executemany in batches of 10,000, PostgreSQL one COPY. "
    "'copy of the member table' has the member table's constraints and indexes (PostgreSQL "
    "CREATE TABLE … LIKE … INCLUDING ALL, SQLite the same DDL): the same work the database does "
    "for the import, and the figure the ≥ 15 % target is checked against. 'bare table' has no "
    "index and no constraint: the ceiling of the load alone.",
    "motion": "Issue 3, after the foundation reads, on the same deployment (bench/motion.py): "
    "service stations in urban streets; open mobile-member spells for 5 % of the members (home = "
    "their branch; inflow side mostly a branch in an urban street of another county, some a "
    "station, ~10 % none; last contact spread past 6 months for about a quarter), past spells "
    "and arrivals from outside; two years of sessions at the usual frequencies (general meeting "
    "and lecture quarterly, committee, group meeting and theme day monthly) with a row per "
    "expected member, 10 rows per member in all, so they cover the counties that record "
    "organizational life here (the measured county first). Written by COPY / executemany, "
    "checked against the app rules. Left-behind report: left_behind_for(...) with its rows "
    "listed, as the county's admin and at the root as superuser; expectation summary: "
    "expectation_summary_for for the county's largest street, last full year; transfers: "
    "transfer_request → transfer_approve_out → transfer_approve_upper when it crosses counties "
    "(10 %, same city) → transfer_accept, one after the other, after 20 untimed; then 1,000 "
    "more from 4 processes at once (info). A function not written yet is 'n/a (not "
    "implemented)'. `python -m bench.motion --database-url URL` measures these again on the "
    "database a run left (after a change to the report or the services).",
    "reads": "Median of N timed runs after 2 warm-ups. Selectors run as a superuser "
    "(member_list_for, children_with_counts, MemberFilter); pages through django.test.Client "
    "logged in as an admin of the root organization, middleware and templates included. "
    "After the load: SQLite ANALYZE, PostgreSQL VACUUM ANALYZE.",
}


def pg_available(url: str) -> str | None:
    """None if the server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def pg_fresh(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_worker(db: str, url: str, args, scope: str, members: int) -> dict | None:
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"result-{db}.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TONGCHOU_PLAIN_STATIC": "1",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DEBUG": "0",
        "IMPORT_MAX_BYTES": str(4 * 1024**3),
        "CONN_MAX_AGE": "0",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    env.pop("TONGCHOU_ENV", None)
    command = [
        sys.executable,
        "-m",
        "bench.worker",
        "--out",
        str(out),
        "--divisions",
        str(args.divisions),
        "--scope",
        scope,
        "--members",
        str(members),
        "--seed",
        str(args.seed),
        "--repeat",
        str(args.repeat),
        "--work",
        str(WORK),
        "--spells",
        str(args.spells or 0),
        "--attendance",
        str(args.attendance or 0),
        "--only",
        args.only,
    ]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=REPO, env=env)
    if completed.returncode != 0 or not out.exists():
        print(f"!! {db}: the benchmark failed (exit {completed.returncode})", flush=True)
        return None
    result = json.loads(out.read_text(encoding="utf-8"))
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    return result


def figures(result: dict) -> dict:
    """Flatten one database's result into the table's keys."""
    m = result.get("metrics", {})
    values = {"import_rows_per_s": result["import"]["rows_per_s"]}
    if "cpu_us_per_row" in result["import"]:
        values["import_cpu_us_per_row"] = result["import"]["cpu_us_per_row"]
    if result.get("raw"):
        values.update(
            raw_rows_per_s=result["raw"]["table"]["rows_per_s"],
            import_vs_raw=round(
                result["import"]["rows_per_s"] / result["raw"]["table"]["rows_per_s"], 3
            ),
            raw_bare_rows_per_s=result["raw"]["bare"]["rows_per_s"],
            import_vs_raw_bare=round(
                result["import"]["rows_per_s"] / result["raw"]["bare"]["rows_per_s"], 3
            ),
        )
    values.update(result.get("motion", {}).get("figures", {}))
    for key in TARGETS:
        if key in m:
            values[key] = (
                None if m[key].get("missing") or "median_ms" not in m[key] else m[key]["median_ms"]
            )
    return values


def verdict(key: str, value) -> str:
    _label, target, _unit, higher = TARGETS[key]
    if value is None:
        return "MISSING"
    if value == "n/a":
        return "N/A"
    if value == "error":
        return "ERROR"
    if target is None:
        return ""
    ok = value >= target if higher else value <= target
    return "PASS" if ok else "MISS"


def fmt(key: str, value) -> str:
    if value is None:
        return "—"
    if value == "n/a":
        return "n/a (not implemented)"
    if value == "error":
        return "error (see the log)"
    unit = TARGETS[key][2]
    if unit in ("rows/s", "/s"):
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "µs":
        return f"{value:.1f} µs"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.0%}"


def target_text(key: str) -> str:
    _label, target, unit, higher = TARGETS[key]
    if target is None:
        return "(info)"
    sign = "≥" if higher else "≤"
    if unit in ("rows/s", "/s"):
        return f"{sign} {target:,}{' /s' if unit == '/s' else ''}"
    if unit == "ms":
        return f"{sign} {target} ms"
    return f"{sign} {target:.0%}"


def print_table(results: dict[str, dict]) -> None:
    dbs = list(results)
    table = [["metric", *[f"{db}" for db in dbs], "target"]]
    for key, (label, *_rest) in TARGETS.items():
        if all(key not in results[db]["figures"] for db in dbs):
            continue  # a part not run (--only)
        row = [label]
        for db in dbs:
            value = results[db]["figures"].get(key)
            mark = verdict(key, value) if not isinstance(value, str) else ""
            row.append(f"{fmt(key, value)} {mark}".strip())
        row.append(target_text(key))
        table.append(row)
    widths = [max(_width(r[i]) for r in table) for i in range(len(table[0]))]
    print()
    for n, row in enumerate(table):
        print("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# Parts that build their own deployments (or need none) run as their own modules, after the
# shared import/reads/motion run: part name → (module, passes --db/--quick).
STANDALONE = {
    "match": ("bench.match", False),  # issue 8: the talent matcher, no database
    "linkage": ("bench.linkage", False),  # issue 10: the supply–sales planner, no database
    "resources": ("bench.resources", True),  # issue 8: bookings and flows
    "service": ("bench.service", True),  # issue 9: needs (FULL=1: the province sizes)
    "http": ("bench.http", True),  # the real server under load, last
}


def run_standalone(part: str, args) -> None:
    module, takes_db = STANDALONE[part]
    command = [sys.executable, "-m", module]
    if takes_db:
        command += ["--db", args.db] + (["--quick"] if args.quick else [])
    subprocess.run(command, check=False, cwd=REPO)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one city, 20,000 members")
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument(
        "--divisions",
        type=Path,
        default=Path(os.environ.get("BENCH_DIVISIONS", DEFAULT_DIVISIONS)),
        help="directory of the division files (default ../shared/data/divisions)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG),
        help="PostgreSQL database to (re)create for the run; its name must contain 'bench'",
    )
    parser.add_argument("--scope", help="region code to build (default 37, quick 3711)")
    parser.add_argument("--members", type=int, help="members (default 1,000,000, quick 20,000)")
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument(
        "--spells", type=int, help="open mobile-member spells (default 5 %% of members)"
    )
    parser.add_argument("--attendance", type=int, help="attendance rows (default 10 per member)")
    parser.add_argument("--repeat", type=int, help="timed runs per read (default 21, quick 9)")
    parser.add_argument(
        "--only",
        default=os.environ.get("ONLY", ""),
        help="comma-separated parts to run: import (and the raw loads), reads, motion, "
        f"{', '.join(STANDALONE)} (default: all; the members are imported in every part but "
        "the standalone ones, which build their own deployments or need none)",
    )
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    known = {"import", "reads", "motion", *STANDALONE}
    if parts - known:
        raise SystemExit(f"unknown part(s) {sorted(parts - known)}: {', '.join(sorted(known))}")
    standalone = [p for p in STANDALONE if not parts or p in parts]
    if parts and parts <= set(STANDALONE):
        for part in standalone:
            run_standalone(part, args)
        return
    args.only = ",".join(sorted(parts - set(STANDALONE)))
    scope = args.scope or ("3711" if args.quick else "37")
    members = args.members or (20_000 if args.quick else 1_000_000)
    args.repeat = args.repeat or (9 if args.quick else 21)
    if (
        not (args.divisions / "villages.csv.gz").exists()
        and not (args.divisions / "villages.csv").exists()
    ):
        raise SystemExit(f"no division files in {args.divisions} (use --divisions DIR)")

    started = time.perf_counter()
    print(f"Tongchou bench: region {scope}, {members:,} members, {args.divisions}", flush=True)
    results: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        if db == "sqlite":
            path = WORK / ("bench-quick.sqlite3" if args.quick else "bench.sqlite3")
            WORK.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        elif db in ("postgresql", "postgres", "pg"):
            db = "postgresql"
            url = args.pg_url
            problem = pg_available(url)
            if problem:
                skipped[db] = f"PostgreSQL not reachable at {url}: {problem}"
                print(f"-- skipping PostgreSQL: {skipped[db]}", flush=True)
                continue
            pg_fresh(url)
        else:
            raise SystemExit(f"unknown database {db!r}")
        print(f"== {db}", flush=True)
        result = run_worker(db, url, args, scope, members)
        if result is None:
            skipped[db] = "failed (see the output above)"
            continue
        result["figures"] = figures(result)
        results[db] = result

    if results:
        print_table(results)
    for db, why in skipped.items():
        print(f"{db}: {why}")
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "only": args.only,
        "scope": scope,
        "members": members,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "targets": {
            key: {"label": label, "target": target, "unit": unit, "higher_is_better": higher}
            for key, (label, target, unit, higher) in TARGETS.items()
        },
        "notes": NOTES,
        "results": results,
        "skipped": skipped,
        "verdicts": {
            db: {k: verdict(k, v) for k, v in r["figures"].items() if TARGETS[k][1] is not None}
            for db, r in results.items()
        },
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    stem = "report-quick" if args.quick else "report"
    if args.only:
        stem += "-" + args.only.replace(",", "-")
    target = OUT / f"{stem}.json"
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"report: {target.relative_to(REPO)} ({report['wall_seconds']} s)")
    for part in standalone:
        run_standalone(part, args)
    if not results:
        sys.exit(1)


if __name__ == "__main__":
    main()
