"""``python -m bench.resources [--quick]`` (``make bench ONLY=resources``): shared resources at
province scale (issue 8).

Builds a fresh deployment of real divisions (Shandong, 37; ``--quick``: one city, 日照 3711) with
the generated organization network of ``bench.plan``, then bulk-generates resources (100,000;
quick 2,000) — rooms mostly, owned by street/town committees and branches, shared county- or
province-wide — and bookings (2,000,000; quick 40,000): about 20 a resource over two years, on
distinct days so they never overlap, 90 % confirmed with their flow facts (direction from the
two sides' urban/rural class, minutes, month), 10 % cancelled; and exchanges (talent
assignments: ``--exchanges``, 50,000; quick 1,000) of outside experts and stationed members
between organizations, mostly from a county's committees to its villages and some the other
way, so the flow report sums both of its sources. Loaded by ``executemany``
(SQLite) or ``COPY`` (PostgreSQL; the exclusion constraint is dropped for the load and added
again after, which checks every row). Then, on SQLite and PostgreSQL (skipped with a message
when the server cannot be reached), median of N runs after warm-ups:

* a resource's week of free/busy, ``selectors.week_for`` as a county admin — target ≤ 20 ms;
* free rooms for 40 people in a county for an afternoon, ``selectors.search_free`` with the
  opening-hours check on the rows shown, as a village secretary of that county — ≤ 100 ms;
* the flow report of the province root over a year, ``flows.report`` over every registered
  source (bookings and exchanges) — ≤ 500 ms;
* the race: 1,000 attempts at one slot through ``services.booking_request`` from 8 threads,
  each on its own connection — exactly 1 held (PostgreSQL: the target; SQLite: info, its
  writers are serialized).

Figures go to ``bench/out/resources.json`` (``resources-quick.json``).
"""

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
WORK = REPO / "var" / "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/tongchou_bench_resources"
# The shared data beside the checkout (../shared), or beside its parent for a worktree.
DEFAULT_DIVISIONS = next(
    (
        p / "shared" / "data" / "divisions"
        for p in (REPO.parent, REPO.parent.parent)
        if (p / "shared" / "data" / "divisions").exists()
    ),
    REPO.parent / "shared" / "data" / "divisions",
)

TARGETS = {
    "week_ms": ("a resource's week of free/busy", 20.0),
    "search_ms": ("free rooms in a county, one afternoon", 100.0),
    "flows_root_year_ms": ("flow report, province root, one year", 500.0),
}


def log(message: str) -> None:
    print(f"  {message}", flush=True)


def measure(fn, repeat: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(times[0], 2),
        "max_ms": round(times[-1], 2),
        "runs": repeat,
    }


# --- building -----------------------------------------------------------------------------------


def build(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from bench.plan import RegionRow, build_plan
    from bench.worker import build_organizations
    from tongchou.regions.models import Region
    from tongchou.regions.services import regions_import

    info: dict = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    regions_import(directory=Path(args.divisions), within=args.scope)
    rows = [
        RegionRow(r.code, r.name, r.level, r.parent_id, r.kind, r.urban_rural)
        for r in Region.objects.filter(code__startswith=args.scope[:2])
    ]
    plan = build_plan(rows, root_code=args.scope[:2], seed=args.seed)
    build_organizations(plan)
    info["organizations"] = len(plan.nodes)
    info["build_tree_s"] = round(time.perf_counter() - started, 1)
    log(f"{connection.vendor}: {len(plan.nodes):,} organizations ({info['build_tree_s']} s)")
    started = time.perf_counter()
    info.update(generate(plan, args))
    info["generate_s"] = round(time.perf_counter() - started, 1)
    log(
        f"{info['resources']:,} resources, {info['bookings']:,} bookings, "
        f"{info['exchanges']:,} exchanges ({info['generate_s']} s)"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE resources_resource")
            cursor.execute("VACUUM ANALYZE resources_booking")
            cursor.execute("VACUUM ANALYZE talent_assignment")
        else:
            cursor.execute("ANALYZE")
    info["analyze_s"] = round(time.perf_counter() - started, 1)
    return info


def generate(plan, args) -> dict:
    """Resources and bookings, written in bulk (the services are timed separately)."""
    from django.db import connection

    from tongchou.regions.flows import direction_of

    rng = random.Random(args.seed)
    nodes = plan.nodes
    by_county: dict[str, list] = {}
    for n in nodes:
        if n.level in ("township", "village", "branch"):
            by_county.setdefault(n.region[:6], []).append(n)
    owners = [n for n in nodes if n.level in ("township", "village")]
    owners.sort(key=lambda n: n.id)
    users_by_county = {
        c: [n for n in ns if n.level in ("village", "branch")] for c, ns in by_county.items()
    }
    all_users = [n for ns in users_by_county.values() for n in ns]
    county_path = {n.region: n.path for n in nodes if n.level == "county"}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tz = dt.timezone(dt.timedelta(hours=8))
    first_day = dt.date(args.year, 1, 1)
    days = (dt.date(args.year + 2, 1, 1) - first_day).days
    hours = [["08:00", "21:00"]] * 7
    kinds = ["room"] * 7 + ["equipment", "vehicle", "trainer"]
    resources, bookings = [], []
    per = max(1, args.bookings // args.resources)
    spacing = days // per
    booking_id = 0
    for i in range(args.resources):
        rid = i + 1
        owner = owners[i % len(owners)] if i % 5 else rng.choice(owners)
        kind = kinds[i % len(kinds)]
        shared_all = i % 4 == 0
        visible = "" if shared_all else county_path.get(owner.region[:6], owner.path)
        capacity = rng.choice([20, 30, 40, 60, 80, 120]) if kind in ("room", "vehicle") else None
        resources.append(
            (
                rid,
                now,
                now,
                kind,
                f"{owner.name}{'会议室' if kind == 'room' else kind}{i}",
                owner.id,
                owner.path,
                owner.region,
                "",
                None,
                None,
                "in_use",
                capacity,
                "乡村振兴、农村电商" if kind == "trainer" else "",
                None,
                "外聘讲师" if kind == "trainer" else "",
                "",
                "all" if shared_all else "county",
                visible,
                "visible",
                True,
                json.dumps(hours),
                False,
                0,
                None,
                None,
                0,
                0,
                48,
                f"bench-{rid:09d}-{rng.getrandbits(64):016x}",
                0,
            )
        )
        local_users = users_by_county.get(owner.region[:6]) or all_users
        for k in range(per):
            booking_id += 1
            day = first_day + dt.timedelta(days=k * spacing + rng.randrange(max(1, spacing)))
            start_hour = rng.choice([9, 14, 19])
            start = dt.datetime.combine(day, dt.time(start_hour), tzinfo=tz).astimezone(dt.UTC)
            end = start + dt.timedelta(hours=2)
            user = rng.choice(local_users) if rng.random() < 0.85 else rng.choice(all_users)
            confirmed = rng.random() < 0.9
            direction = direction_of(owner.urban_rural, user.urban_rural) if confirmed else ""
            bookings.append(
                (
                    booking_id,
                    now,
                    now,
                    rid,
                    kind,
                    owner.path,
                    user.id,
                    user.path,
                    start,
                    end,
                    start,
                    end,
                    "会议",
                    rng.randint(5, capacity or 30),
                    "confirmed" if confirmed else "cancelled",
                    "",
                    "",
                    direction,
                    120 if confirmed else 0,
                    day.replace(day=1) if confirmed else None,
                )
            )
    resource_columns = [
        "id",
        "created_at",
        "updated_at",
        "kind",
        "name",
        "owner_id",
        "owner_path",
        "region_id",
        "address",
        "latitude",
        "longitude",
        "status",
        "capacity",
        "topics",
        "member_id",
        "person_name",
        "description",
        "visibility",
        "visible_path",
        "bookers",
        "auto_confirm",
        "opening_hours",
        "closed_on_days_off",
        "lead_hours",
        "max_minutes",
        "monthly_quota",
        "buffer_before",
        "buffer_after",
        "hold_hours",
        "feed_token",
        "booking_seq",
    ]
    booking_columns = [
        "id",
        "created_at",
        "updated_at",
        "resource_id",
        "kind",
        "owner_path",
        "organization_id",
        "org_path",
        "starts_at",
        "ends_at",
        "block_start",
        "block_end",
        "purpose",
        "people",
        "state",
        "reason",
        "series",
        "direction",
        "minutes",
        "month",
    ]
    _load("resources_resource", resource_columns, resources)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE resources_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"
            )
    _load("resources_booking", booking_columns, bookings)
    from tongchou.resources.services import flow_months_rebuild

    started = time.perf_counter()
    months = flow_months_rebuild()
    took = time.perf_counter() - started
    log(f"deployment monthly flow totals rebuilt from the bookings: {months} rows ({took:.1f} s)")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            migration = importlib.import_module(
                "tongchou.resources.migrations.0002_booking_no_overlap"
            )
            started = time.perf_counter()
            cursor.execute(migration.CONSTRAINT)
            took = time.perf_counter() - started
            log(f"exclusion constraint added back, every row checked ({took:.1f} s)")
            for table in ("resources_resource", "resources_booking"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
    exchanges = generate_exchanges(plan, args, rng, now)
    return {
        "resources": len(resources),
        "bookings": len(bookings),
        "exchanges": exchanges,
        "first_day": str(first_day),
    }


EXCHANGE_KINDS = ["stationed", "first_secretary", "secondment", "city_training", "expert_visit"]


def generate_exchanges(plan, args, rng: random.Random, now: dt.datetime) -> int:
    """Talents (outside experts: no member rows needed) and their assignments over two years:
    four in five from a county's committees to one of its villages, the rest the other way
    (进城实训). 85 % flowed (active, completed, ended early), 15 % still planned."""
    from django.db import connection

    from tongchou.regions.flows import direction_of

    providers: dict[str, list] = {}
    villages: dict[str, list] = {}
    for n in plan.nodes:
        if n.level in ("county", "township"):
            providers.setdefault(n.region[:6], []).append(n)
        elif n.level == "village":
            villages.setdefault(n.region[:6], []).append(n)
    counties = sorted(c for c in providers if villages.get(c))
    talents = max(1, args.exchanges // 2)
    talent_rows, assignment_rows = [], []
    for tid in range(1, talents + 1):
        county = counties[tid % len(counties)]
        home = rng.choice(providers[county])
        talent_rows.append(
            (tid, now, now, "expert", None, f"专家{tid}", "", home.id, home.path, "", False)
            + (None, None, None, 1, True, "")
        )
    first = dt.date(args.year, 1, 1)
    for aid in range(1, args.exchanges + 1):
        tid = (aid - 1) % talents + 1
        county = counties[tid % len(counties)]
        committee = rng.choice(providers[county])
        village = rng.choice(villages[county])
        inbound = rng.random() < 0.2
        kind = "city_training" if inbound else rng.choice(EXCHANGE_KINDS[:3] + EXCHANGE_KINDS[4:])
        source, target = (village, committee) if inbound else (committee, village)
        start = first + dt.timedelta(days=rng.randrange(700))
        length = rng.choice([7, 30, 90, 180, 365])
        last = start + dt.timedelta(days=length - 1)
        roll = rng.random()
        state = "planned" if roll < 0.15 else ("ended_early" if roll < 0.2 else "completed")
        ended = start + dt.timedelta(days=length // 2) if state == "ended_early" else None
        days = ((ended or last) - start).days + 1
        direction = direction_of(source.urban_rural, target.urban_rural)
        assignment_rows.append(
            (aid, now, now, tid, kind, source.id, source.path, target.id, target.path)
            + (start, last, ended, "", state, "", None, None, direction, start.replace(day=1), days)
        )
    _load(
        "talent_talent",
        ["id", "created_at", "updated_at", "kind", "member_id", "expert_name", "phone_enc"]
        + ["organization_id", "org_path", "current_post", "returning", "max_km", "home_lat"]
        + ["home_lon", "capacity", "active", "note"],
        talent_rows,
    )
    _load(
        "talent_assignment",
        ["id", "created_at", "updated_at", "talent_id", "kind", "from_org_id", "from_path"]
        + ["to_org_id", "to_path", "first_day", "last_day", "ended_on", "goals", "state"]
        + ["summary", "need_id", "created_by_id", "direction", "month", "days"],
        assignment_rows,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("talent_talent", "talent_assignment"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
    return len(assignment_rows)


def _load(table: str, columns: list[str], rows: list[tuple]) -> None:
    from django.db import connection, transaction

    names = ", ".join(connection.ops.quote_name(c) for c in columns)  # "returning" is SQL
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        adapt = connection.ops.adapt_datetimefield_value
        for start in range(0, len(rows), 20_000):
            chunk = [
                tuple(
                    adapt(v)
                    if isinstance(v, dt.datetime)
                    else (v.isoformat() if isinstance(v, dt.date) else v)
                    for v in row
                )
                for row in rows[start : start + 20_000]
            ]
            cursor.executemany(sql, chunk)


# --- measuring ----------------------------------------------------------------------------------


def measure_all(args, info: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from tongchou.organizations.models import Organization, Role, RoleKind
    from tongchou.regions.models import Region
    from tongchou.resources import flows, selectors
    from tongchou.resources.models import Booking, Resource

    User = get_user_model()
    county = Region.objects.filter(level=3, code__startswith=args.scope).order_by("code").first()
    county_org = Organization.objects.filter(region=county, depth__lte=3).order_by("depth").first()
    admin, _new = User.objects.get_or_create(username="bench_county_admin")
    Role.objects.get_or_create(user=admin, organization=county_org, kind=RoleKind.ADMIN)
    village_org = (
        Organization.objects.filter(path__startswith=county_org.path, kind="branch")
        .order_by("path")
        .first()
    )
    secretary, _new = User.objects.get_or_create(username="bench_village_secretary")
    Role.objects.get_or_create(user=secretary, organization=village_org, kind=RoleKind.SECRETARY)
    figures: dict = {"county": f"{county.name} {county.code}"}

    resource = (
        Resource.objects.filter(owner_path__startswith=county_org.path).order_by("id").first()
    )
    starts = list(
        Booking.objects.filter(resource=resource)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)[:6]
    )
    busy_day = starts[-1]
    day = timezone.localtime(busy_day).date()

    def week():
        data = selectors.week_for(admin, resource, day)
        assert sum(len(d["busy"]) for d in data["days"]) >= 1

    figures["week_ms"] = measure(week, args.repeat)

    tz = timezone.get_current_timezone()
    afternoon = dt.datetime.combine(day, dt.time(14), tzinfo=tz)

    def search():
        start, end = afternoon, afternoon + dt.timedelta(hours=3)
        rows = selectors.search_free(
            secretary, kind="room", region=county.code, capacity=40, start=start, end=end
        ).order_by("name", "id")[:300]
        shown = [r for r in rows if selectors.fits_opening(r, start, end)][:100]
        return len(shown)

    figures["search_found"] = search()
    figures["search_ms"] = measure(search, args.repeat)

    query = flows.year_query("", args.year)

    def report():
        return flows.report(query)

    result = report()
    figures["flows_root_year_uses"] = result.total.uses
    figures["flows_root_year_by_direction"] = {d: c.uses for d, c in result.totals.items()}
    figures["flows_root_year_person_days"] = result.total.person_days
    figures["flows_root_year_ms"] = measure(report, max(5, args.repeat // 2))
    figures["race"] = race(args, secretary, village_org, Resource.objects.get(pk=resource.pk))
    connection.close()
    return figures


def race(args, actor, organization, resource) -> dict:
    """``attempts`` calls of booking_request for one slot from ``threads`` connections."""
    from django.db import connections

    from tongchou.core.errors import ApplicationError
    from tongchou.resources import services
    from tongchou.resources.models import Booking

    Booking.objects.filter(purpose="race").delete()  # a previous run's (--measure-only)
    now = dt.datetime.now(dt.UTC)
    start = (now + dt.timedelta(days=400)).replace(hour=6, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(hours=2)
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    per_thread = args.attempts // args.threads
    barrier = threading.Barrier(args.threads)

    def run():
        counts: dict[str, int] = {}
        try:
            barrier.wait(timeout=60)
            for _ in range(per_thread):
                try:
                    services.booking_request(
                        actor=actor,
                        resource=resource,
                        organization=organization,
                        starts_at=start,
                        ends_at=end,
                        purpose="race",
                        people=5,
                    )
                    counts["held"] = counts.get("held", 0) + 1
                except ApplicationError as exc:
                    counts[exc.code] = counts.get(exc.code, 0) + 1
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    name = type(exc).__name__
                    counts[name] = counts.get(name, 0) + 1
        finally:
            connections.close_all()
            with lock:
                for key, value in counts.items():
                    outcomes[key] = outcomes.get(key, 0) + value

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    held_rows = Booking.objects.filter(
        resource=resource, starts_at=start, state__in=["requested", "confirmed"]
    ).count()
    return {
        "attempts": per_thread * args.threads,
        "threads": args.threads,
        "outcomes": outcomes,
        "held_rows": held_rows,
        "seconds": round(time.perf_counter() - started, 2),
        "ok": held_rows == 1 and outcomes.get("held", 0) == 1,
    }


def worker(args) -> None:
    import django

    django.setup()
    from django.db import connection

    if args.measure_only:
        from tongchou.resources.models import Booking, FlowMonth, Resource
        from tongchou.resources.services import flow_months_rebuild

        info = {"resources": Resource.objects.count(), "bookings": Booking.objects.count()}
        info["measured_again"] = True
        if not FlowMonth.objects.exists():  # a database built before the totals existed
            started = time.perf_counter()
            info["flow_months"] = flow_months_rebuild()
            info["flow_months_rebuild_s"] = round(time.perf_counter() - started, 1)
    else:
        info = build(args)
    figures = measure_all(args, info)
    result = {"db": connection.vendor, "build": info, "figures": figures}
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))


# --- the driver ---------------------------------------------------------------------------------


def environment(url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TONGCHOU_PLAIN_STATIC": "1",
        "DEBUG": "0",
        "CONN_MAX_AGE": "0",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    env.pop("TONGCHOU_ENV", None)
    return env


def verdict(key: str, value: float) -> str:
    return "PASS" if value <= TARGETS[key][1] else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.resources")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_RESOURCES_URL", DEFAULT_PG))
    parser.add_argument(
        "--divisions",
        type=Path,
        default=Path(os.environ.get("BENCH_DIVISIONS", DEFAULT_DIVISIONS)),
    )
    parser.add_argument("--scope")
    parser.add_argument("--resources", type=int)
    parser.add_argument("--bookings", type=int)
    parser.add_argument("--exchanges", type=int)
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure again on the databases a previous run left (no rebuild)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.scope = args.scope or ("3711" if args.quick else "37")
    args.resources = args.resources or (2_000 if args.quick else 100_000)
    args.bookings = args.bookings or (40_000 if args.quick else 2_000_000)
    args.exchanges = args.exchanges or (1_000 if args.quick else 50_000)
    args.repeat = args.repeat or (9 if args.quick else 21)
    if args.quick and args.attempts == 1000:
        args.attempts = 200
    if args.worker:
        worker(args)
        return

    from bench.__main__ import pg_available, pg_fresh

    print(
        f"Tongchou bench, resources: region {args.scope}, {args.resources:,} resources, "
        f"{args.bookings:,} bookings",
        flush=True,
    )
    results, skipped = {}, {}
    WORK.mkdir(parents=True, exist_ok=True)
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        if db == "sqlite":
            path = WORK / ("resources-quick.sqlite3" if args.quick else "resources.sqlite3")
            if not args.measure_only:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            db = "postgresql"
            url = args.pg_url
            problem = pg_available(url)
            if problem:
                skipped[db] = f"PostgreSQL not reachable at {url}: {problem}"
                print(f"-- skipping PostgreSQL: {skipped[db]}", flush=True)
                continue
            if not args.measure_only:
                pg_fresh(url)
        print(f"== {db}", flush=True)
        out = WORK / f"resources-{db}.json"
        out.unlink(missing_ok=True)
        command = [
            sys.executable,
            "-m",
            "bench.resources",
            "--worker",
            "--out",
            str(out),
            *(["--measure-only"] if args.measure_only else []),
            *[
                f"--{k}={v}"
                for k, v in vars(args).items()
                if k
                in (
                    "scope",
                    "resources",
                    "bookings",
                    "exchanges",
                    "attempts",
                    "threads",
                    "repeat",
                    "seed",
                    "year",
                    "divisions",
                )
            ],
        ]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, env=environment(url))
        if done.returncode != 0 or not out.exists():
            skipped[db] = f"failed (exit {done.returncode})"
            continue
        results[db] = json.loads(out.read_text())
        results[db]["wall_seconds"] = round(time.perf_counter() - started, 1)

    print()
    for db, result in results.items():
        f = result["figures"]
        print(
            f"{db}: {result['build']['resources']:,} resources, "
            f"{result['build']['bookings']:,} bookings, "
            f"{result['build'].get('exchanges', 0):,} exchanges; county {f['county']}"
        )
        for key, (label, target) in TARGETS.items():
            value = f[key]["median_ms"]
            print(f"  {label:<42} {value:>9.1f} ms  ≤ {target:.0f} ms  {verdict(key, value)}")
        r = f["race"]
        mark = "PASS" if r["ok"] else "MISS"
        mark = mark if db == "postgresql" else f"{mark} (info)"
        label = f"race: {r['attempts']} attempts, {r['threads']} connections"
        print(f"  {label:<42} held {r['held_rows']}  outcomes {r['outcomes']}  {mark}")
    for db, why in skipped.items():
        print(f"{db}: {why}")
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "results": results,
        "skipped": skipped,
        "verdicts": {
            db: {
                **{k: verdict(k, r["figures"][k]["median_ms"]) for k in TARGETS},
                "race": "PASS" if r["figures"]["race"]["ok"] else "MISS",
            }
            for db, r in results.items()
        },
    }
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / ("resources-quick.json" if args.quick else "resources.json")
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(f"report: {target.relative_to(REPO)}")
    if not results:
        sys.exit(1)


if __name__ == "__main__":
    main()
