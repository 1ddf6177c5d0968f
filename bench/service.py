"""Issue 9 — serving the people: ``make bench ONLY=service`` (or ``python -m bench.service``).

Builds its own deployment (a province organization, counties, streets, villages with their
divisions), writes needs and need events in bulk with deadlines and routing computed by the
app's own code (``service.services.Router``, ``core.workdays.WorkCalendar``), then times:

* a county's overdue list (``selectors.county_overdue``, the first page) — target ≤ 100 ms;
* a street's figures by status, category and month, plus its row of the public figures
  (``selectors.street_by_month`` + ``selectors.street_figures``) — target ≤ 200 ms;
* an Open311 ``GET requests.json`` page (default 90-day window, filtered by service_code and
  status, through the test client: routing, query, rendering) — target ≤ 50 ms;
* routing + deadline computation of a batch of new needs — target ≥ 5,000 needs/s; the same
  batch written with ``bulk_create`` is printed beside it.

Sizes are scaled down by default (200,000 needs, 800,000 events, 50,000-need batch);
``--full`` asks for the issue's province sizes (5,000,000 needs, 20,000,000 events, a batch of
100,000) — hours of generation on this machine. Households are not generated: no target reads
them. Each timed read is run ``--repeat`` times; the median is reported.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "var" / "bench"

TARGETS = {
    "county_overdue_ms": ("county overdue list, first page", 100, "ms", False),
    "street_figures_ms": ("a street's figures by status/category/month", 200, "ms", False),
    "open311_get_ms": ("Open311 GET requests page (90 days, filtered)", 50, "ms", False),
    "open311_page100_ms": ("  the same, page_size=100 (our extension)", None, "ms", False),
    "route_deadline_per_s": ("routing + deadlines of new needs", 5000, "needs/s", True),
    "route_deadline_insert_per_s": ("  the same, written with bulk_create", None, "needs/s", True),
}


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _tree(counties: int, streets: int, villages: int):
    from tongchou.core import tree
    from tongchou.organizations.models import Organization
    from tongchou.regions.models import Region, RegionLevel

    def regions(rows):
        Region.objects.bulk_create(rows, batch_size=5000)

    province = Region(code="99", name="测试省", level=RegionLevel.PROVINCE)
    regions([province])
    root = Organization.objects.create(
        code="R", name="省委", kind="committee", region=province, urban_rural="urban", path="tmp"
    )
    root.path = tree.child_path("", root.pk)
    root.save(update_fields=["path"])

    def level(parents, count, level_, kind, code_len):
        made_regions, made_orgs = [], []
        for parent_region, parent_org in parents:
            for i in range(count):
                code = f"{parent_region.code}{i + 1:0{code_len}d}"
                region = Region(code=code, name=f"区划{code}", level=level_, parent=parent_region)
                made_regions.append(region)
                made_orgs.append(
                    (
                        parent_org,
                        Organization(
                            code=f"O{code}",
                            name=f"组织{code}",
                            kind=kind,
                            region=region,
                            urban_rural="rural",
                            parent=parent_org,
                            path=f"t{code}",
                        ),
                    )
                )
        regions(made_regions)
        orgs = Organization.objects.bulk_create([o for _, o in made_orgs], batch_size=5000)
        for (parent, org), saved in zip(made_orgs, orgs, strict=True):
            org.pk = saved.pk
            org.path = tree.child_path(parent.path, org.pk)
            org.depth = tree.depth(org.path)
        Organization.objects.bulk_update(orgs, ["path", "depth"], batch_size=5000)
        return [(o.region, o) for o in orgs]

    county_rows = level([(province, root)], counties, RegionLevel.COUNTY, "committee", 2)
    street_rows = level(county_rows, streets, RegionLevel.TOWNSHIP, "working_committee", 3)
    village_rows = level(street_rows, villages, RegionLevel.VILLAGE, "branch", 3)
    return root, county_rows, street_rows, village_rows


def _units(county_rows):
    from tongchou.service.models import AllianceUnit, NeedCategory, RoutingRule

    categories = list(NeedCategory.objects.all())
    for region, county in county_rows:
        for kind in ("department", "hospital", "legal_aid"):
            unit = AllianceUnit.objects.create(
                name=f"{county.name}{kind}", kind=kind, organization=county, org_path=county.path
            )
            for category in categories[hash(kind) % 3 :: 3]:
                RoutingRule.objects.create(category=category, region=region, unit=unit)
    return categories


def _make_needs(n, rng, villages, categories, calendar, router, today, start_pk=0):
    """``n`` unsaved needs, routed and deadlined (the timed part of the batch figure)."""
    from tongchou.service.models import Need
    from tongchou.service.services import set_deadlines

    needs = []
    for i in range(n):
        village, street_path, county_path = villages[rng.randrange(len(villages))]
        category = categories[rng.randrange(len(categories))]
        submitted = dt.datetime.combine(
            today - dt.timedelta(days=rng.randrange(365)), dt.time(2, rng.randrange(60))
        ).replace(tzinfo=dt.UTC)
        need = Need(
            tracking_code=f"B{start_pk + i:011d}",
            token=f"{start_pk + i:032x}",
            category_id=category.pk,
            organization_id=village.pk,
            org_path=village.path,
            street_path=street_path,
            county_path=county_path,
            region_code=village.region_id,
            intake="staff",
            summary="bench",
            ack_days=category.ack_days,
            resolve_days=category.resolve_days,
            clock_start=submitted.date(),
            submitted_at=submitted,
        )
        set_deadlines(need, calendar)
        rule = router.route(category.pk, need.region_code)
        if rule is not None:
            need.unit_id, need.rule_id = rule.unit_id, rule.pk
        needs.append(need)
    return needs


def _states(needs, rng, today):
    for need in needs:
        roll = rng.random()
        if roll < 0.75:
            need.state = rng.choice(["resolved", "confirmed", "closed"])
            need.resolved_at = need.submitted_at + dt.timedelta(days=rng.randrange(1, 20))
            need.on_time = need.resolved_at.date() <= need.resolve_due
            need.rating = rng.randint(1, 5) if need.state != "resolved" else None
        else:
            need.state = rng.choice(["submitted", "accepted", "in_progress"])


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def run(url: str, *, needs: int, events_per_need: int, batch: int, repeat: int, seed: int):
    _setup(url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tongchou.core.workdays import load_calendar
    from tongchou.service import selectors
    from tongchou.service.models import Need, NeedEvent
    from tongchou.service.services import Router

    rng = random.Random(seed)
    today = timezone.localdate()
    t0 = time.perf_counter()
    root, county_rows, street_rows, village_rows = _tree(10, 10, 30)
    categories = _units(county_rows)
    calendar, router = load_calendar(), Router()
    street_of = {o.pk: o for _, o in street_rows}
    county_of = {o.pk: o for _, o in county_rows}
    villages = []
    for _, village in village_rows:
        street = street_of[village.parent_id]
        villages.append((village, street.path, county_of[street.parent_id].path))
    written = 0
    while written < needs:
        chunk = _make_needs(
            min(50_000, needs - written), rng, villages, categories, calendar, router, today,
            start_pk=written,
        )  # fmt: skip
        _states(chunk, rng, today)
        Need.objects.bulk_create(chunk, batch_size=5000)
        written += len(chunk)
    ids = list(Need.objects.values_list("pk", "submitted_at"))
    events = []
    for pk, at in ids:
        for _ in range(events_per_need):
            events.append(NeedEvent(need_id=pk, kind="submitted", at=at, to_state="submitted"))
        if len(events) >= 50_000:
            NeedEvent.objects.bulk_create(events, batch_size=5000)
            events = []
    NeedEvent.objects.bulk_create(events, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    generated = time.perf_counter() - t0
    print(
        f"   generated {written:,} needs, {written * events_per_need:,} events in {generated:.0f} s"
    )

    county = county_rows[0][1]
    street = street_rows[0][1]
    figures = {}
    figures["county_overdue_ms"] = _time(
        lambda: selectors.county_overdue(county.path, today), repeat
    )

    def street_figures():
        selectors.street_by_month(street.path, year=today.year)
        selectors.street_figures([street.path], today=today)

    figures["street_figures_ms"] = _time(street_figures, repeat)
    client = Client(HTTP_HOST="127.0.0.1")
    url311 = "/open311/v2/requests.json?service_code=employment&status=open"
    assert client.get(url311).status_code == 200
    figures["open311_get_ms"] = _time(lambda: client.get(url311), repeat)
    shown = len(client.get(url311).json())
    paged = url311 + "&page_size=100"
    assert len(client.get(paged).json()) == min(100, shown)
    figures["open311_page100_ms"] = _time(lambda: client.get(paged), repeat)

    t = time.perf_counter()
    fresh = _make_needs(batch, rng, villages, categories, Calendar(), Router(), today, 10**9)
    compute = time.perf_counter() - t
    figures["route_deadline_per_s"] = batch / compute
    t = time.perf_counter()
    fresh = _make_needs(batch, rng, villages, categories, Calendar(), Router(), today, 2 * 10**9)
    Need.objects.bulk_create(fresh, batch_size=5000)
    figures["route_deadline_insert_per_s"] = batch / (time.perf_counter() - t)
    print(f"   Open311 page: {shown} requests")
    return figures


def Calendar():
    from tongchou.core.workdays import load_calendar

    return load_calendar()


def verdict(key: str, value: float) -> str:
    label, target, unit, higher = TARGETS[key]
    if target is None:
        return ""
    ok = value >= target if higher else value <= target
    return "PASS" if ok else "MISS"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.service")
    parser.add_argument("--full", action="store_true", help="the issue's province sizes")
    parser.add_argument("--needs", type=int)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--database-url", default="", help="one database to fill (instead of --db)")
    parser.add_argument(
        "--db",
        default="sqlite",
        help="sqlite, postgresql or both (make bench DB=…): a fresh SQLite file under "
        "var/bench/, and/or a fresh PostgreSQL database named by BENCH_SERVICE_DATABASE_URL "
        "(default postgres://postgres@127.0.0.1:5432/tongchou_bench_service)",
    )
    parser.add_argument("--quick", action="store_true", help="20,000 needs, a 5,000 batch")
    args = parser.parse_args(argv)
    args.full = args.full or bool(os.environ.get("FULL"))  # make bench ONLY=service FULL=1
    needs = args.needs or (5_000_000 if args.full else 20_000 if args.quick else 200_000)
    batch = 100_000 if args.full else 5_000 if args.quick else 50_000
    urls = [args.database_url] if args.database_url else []
    for db in [] if urls else [d.strip() for d in args.db.split(",") if d.strip()]:
        if db == "sqlite":
            WORK.mkdir(parents=True, exist_ok=True)
            path = WORK / "service.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            urls.append(f"sqlite:///{path}")
        elif db in ("postgresql", "postgres", "pg"):
            from bench.__main__ import pg_available, pg_fresh

            url = os.environ.get(
                "BENCH_SERVICE_DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/tongchou_bench_service",
            )
            problem = pg_available(url)
            if problem:
                print(f"-- skipping PostgreSQL: not reachable at {url}: {problem}")
                continue
            pg_fresh(url)
            urls.append(url)
        else:
            raise SystemExit(f"unknown database {db!r}")
    if len(urls) > 1:  # Django is set up once a process: one process a database
        import subprocess

        for url in urls:
            command = [sys.executable, "-m", "bench.service", "--database-url", url]
            command += ["--needs", str(needs), "--repeat", str(args.repeat)]
            command += ["--seed", str(args.seed)] + (["--full"] if args.full else [])
            command += ["--quick"] if args.quick else []
            subprocess.run(command, check=False, cwd=REPO)
        return
    for url in urls:
        print(f"Service bench (issue 9): {needs:,} needs, 4 events each, {url.split('://')[0]}")
        figures = run(url, needs=needs, events_per_need=4, batch=batch, repeat=args.repeat,
                      seed=args.seed)  # fmt: skip
        for key, value in figures.items():
            label, target, unit, higher = TARGETS[key]
            goal = "" if target is None else f"{'≥' if higher else '≤'} {target:,} {unit}"
            print(f"  {label:<52} {value:>10,.1f} {unit:<8} {goal:<18} {verdict(key, value)}")


if __name__ == "__main__":
    main()
